"""The lr schedule (xuanyuan.train.schedule): every step trains, the peak and the floor are reached,
and the engine applies it (DeepSpeed's own schedulers ran the first two steps at lr 0)."""

import dataclasses

import pytest
import torch

from tests.train.conftest import random_batch
from xuanyuan.train.distributed import init_distributed
from xuanyuan.train.loss import batch_loss
from xuanyuan.train.model import build_standin
from xuanyuan.train.schedule import lr_factor
from xuanyuan.train.settings import StageSettings, tiny_cpu
from xuanyuan.train.trainer import build_engine


def factors(kind, steps, warmup, min_ratio=0.1):
    return [lr_factor(k, steps=steps, warmup=warmup, kind=kind, min_ratio=min_ratio) for k in range(steps)]


def test_warmup_starts_above_zero_and_reaches_the_peak_then_the_floor():
    cosine = factors("cosine", 8, 3)
    assert cosine[:4] == pytest.approx([1 / 3, 2 / 3, 1.0, 1.0])
    assert cosine[-1] == pytest.approx(0.1) and all(a >= b for a, b in zip(cosine[2:], cosine[3:]))
    assert factors("linear", 8, 3)[3:] == pytest.approx([1.0, 0.775, 0.55, 0.325, 0.1])
    assert factors("constant", 5, 2) == pytest.approx([0.5, 1.0, 1.0, 1.0, 1.0])
    # No warmup: the first step at the peak; a warmup as long as the stage ends at the peak.
    assert factors("cosine", 4, 0)[0] == 1.0 and factors("linear", 4, 0)[-1] == pytest.approx(0.1)
    assert factors("cosine", 3, 5) == pytest.approx([1 / 3, 2 / 3, 1.0])
    assert factors("cosine", 1, 0) == [1.0]
    with pytest.raises(ValueError, match="pretrain.scheduler = 'step'"):
        lr_factor(0, steps=3, warmup=0, kind="step", min_ratio=0.1)


@pytest.mark.parametrize("kind,warmup", [("cosine", 2), ("linear", 0), ("constant", 0)])
def test_the_engine_applies_the_schedule_from_the_first_step(kind, warmup):
    """linear and constant with warmup 0 crashed inside deepspeed.initialize with DeepSpeed's schedulers."""
    model_settings, train = tiny_cpu()
    train = dataclasses.replace(train, scheduler=kind, zero_stage=0)
    stage = StageSettings(steps=5, lr=1e-3, warmup_steps=warmup, seq_length=16, micro_batch=2)
    engine = build_engine(build_standin(model_settings, 320, seed=0), train, stage, init_distributed())
    batch = random_batch(torch.Generator().manual_seed(0))
    applied = []
    for _ in range(stage.steps):
        applied.append(engine.get_lr()[0])
        engine.backward(batch_loss(engine, batch, torch.device("cpu")))
        engine.step()
    assert applied == pytest.approx([1e-3 * f for f in factors(kind, 5, warmup)])
    assert min(applied) > 0
