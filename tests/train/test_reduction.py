"""What the engine config changes about DeepSpeed's gradient passes trains the same weights bit for bit:
in one process the gradient all-reduce is switched off where it is only a sum over one rank
(xuanyuan.train.trainer.skip_reduction_in_world_of_one); under bf16 the BF16 optimizer accumulates
each gradient as the backward produces it (`bf16.immediate_grad_update`)."""

import dataclasses

import pytest
import torch

from tests.train.conftest import random_batch
from xuanyuan.train.distributed import init_distributed
from xuanyuan.train.loss import batch_loss
from xuanyuan.train.model import build_standin
from xuanyuan.train.settings import StageSettings, tiny_cpu
from xuanyuan.train.trainer import build_engine


def train_three_steps(precision, zero_stage, *, reduce, communicate_fp32=False, deepspeed=None):
    """Losses and final weights of 3 steps of 2 accumulated micro-batches; `reduce`: put the reduction back
    (`communicate_fp32`: in fp32, where DeepSpeed's bf16 default would round the gradients to bf16)."""
    model_settings, train = tiny_cpu()
    train = dataclasses.replace(train, precision=precision, zero_stage=zero_stage, deepspeed=deepspeed or {})
    stage = StageSettings(steps=3, lr=1e-3, warmup_steps=0, seq_length=16, micro_batch=2, grad_accum=2)
    engine = build_engine(build_standin(model_settings, 320, seed=0), train, stage, init_distributed())
    skipped = not engine.enable_backward_allreduce
    if reduce:
        engine.enable_backward_allreduce = True
    if communicate_fp32:
        engine.communication_data_type = torch.float32
    calls = []
    # Counts the calls of the flatten-reduce-copy path (wraps it; the reduction still runs).
    fallback = engine.buffered_allreduce_fallback

    def counted(*args, **kwargs):
        calls.append(1)
        return fallback(*args, **kwargs)
    engine.buffered_allreduce_fallback = counted
    g = torch.Generator().manual_seed(0)
    losses = []
    for _ in range(stage.steps * stage.grad_accum):
        batch = random_batch(g)
        loss = batch_loss(engine, batch, torch.device("cpu"))
        engine.backward(loss)
        engine.step()
        losses.append(loss.item())
    weights = [p.detach().float().clone() for p in engine.module.parameters()]
    return losses, weights, skipped, len(calls)


@pytest.mark.parametrize("precision,zero_stage", [("fp32", 0), ("bf16", 1)])
def test_one_process_trains_the_same_without_the_reduction(precision, zero_stage):
    losses, weights, skipped, calls = train_three_steps(precision, zero_stage, reduce=False)
    ref_losses, ref_weights, _, ref_calls = train_three_steps(precision, zero_stage, reduce=True, communicate_fp32=True)
    assert skipped and calls == 0 and ref_calls == 3  # one reduction per accumulation boundary, put back
    assert losses == ref_losses
    assert all(torch.equal(a, b) for a, b in zip(weights, ref_weights))


def test_the_bf16_reduction_in_a_world_of_one_rounded_the_fp32_gradients():
    """Why the skip also matters for precision: DeepSpeed communicates bf16 runs' gradients in bf16, so
    its reduction over one rank rounded the fp32-accumulated gradients to bf16 before the step."""
    _, weights, _, _ = train_three_steps("bf16", 1, reduce=False)
    _, rounded, _, _ = train_three_steps("bf16", 1, reduce=True)
    assert not all(torch.equal(a, b) for a, b in zip(weights, rounded))


def test_zero2_keeps_its_reduction_which_fills_the_partitions():
    _losses, _weights, skipped, _calls = train_three_steps("fp32", 2, reduce=False)
    assert not skipped


def test_bf16_gradients_added_during_the_backward_train_the_same_weights():
    losses, weights, _, _ = train_three_steps("bf16", 1, reduce=False)
    after, after_weights, _, _ = train_three_steps("bf16", 1, reduce=False,
                                                   deepspeed={"bf16": {"immediate_grad_update": False}})
    assert losses == after and all(torch.equal(a, b) for a, b in zip(weights, after_weights))
