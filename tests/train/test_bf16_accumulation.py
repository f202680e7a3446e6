"""The copy-first accumulation of bf16 gradients (xuanyuan.train.bf16_accumulation) trains DeepSpeed's
weights bit for bit: with and without the reduction, with gradients added during or after the
backward, when a parameter gets no gradient in a step (its buffer must read zero, not the last
step's gradient), and in two processes whose ranks differ in which parameters got one."""

import dataclasses
import json
import subprocess
import sys

import pytest
import torch
from deepspeed.runtime.bf16_optimizer import BF16_Optimizer

from tests.conftest import REPO
from tests.train.conftest import random_batch
from xuanyuan.train.bf16_accumulation import CopyFirstBF16Optimizer, accumulate_by_copy_first
from xuanyuan.train.deepspeed_config import deepspeed_config
from xuanyuan.train.distributed import init_distributed
from xuanyuan.train.launch import environment_without_rendezvous
from xuanyuan.train.loss import batch_loss
from xuanyuan.train.model import build_standin
from xuanyuan.train.settings import StageSettings, tiny_cpu
from xuanyuan.train.trainer import build_engine


def deepspeeds_own(engine) -> None:
    engine.optimizer.__class__ = BF16_Optimizer


def standin_engine(precision="bf16", zero_stage=1, deepspeed=None, steps=3):
    model_settings, train = tiny_cpu()
    train = dataclasses.replace(train, precision=precision, zero_stage=zero_stage, deepspeed=deepspeed or {})
    stage = StageSettings(steps=steps, lr=1e-3, warmup_steps=0, seq_length=16, micro_batch=2, grad_accum=2)
    return build_engine(build_standin(model_settings, 320, seed=0), train, stage, init_distributed()), stage


def train_standin(*, ours: bool, reduce=False, deepspeed=None):
    engine, stage = standin_engine(deepspeed=deepspeed)
    if not ours:
        deepspeeds_own(engine)
    engine.enable_backward_allreduce = reduce
    g = torch.Generator().manual_seed(0)
    losses = []
    for _ in range(stage.steps * stage.grad_accum):
        loss = batch_loss(engine, random_batch(g), torch.device("cpu"))
        engine.backward(loss)
        engine.step()
        losses.append(loss.item())
    return losses, [p.detach().float().clone() for p in engine.module.parameters()]


@pytest.mark.parametrize("precision,zero_stage,switched", [("bf16", 1, True), ("bf16", 2, False), ("fp32", 0, False)])
def test_the_trainer_switches_only_the_bf16_optimizer(precision, zero_stage, switched):
    engine, _ = standin_engine(precision, zero_stage)
    assert (type(engine.optimizer) is CopyFirstBF16Optimizer) is switched


@pytest.mark.parametrize("reduce,deepspeed", [(False, None), (True, None),
                                              (False, {"bf16": {"immediate_grad_update": False}})],
                         ids=["no-reduction", "reduction", "added-after-backward"])
def test_same_losses_and_weights_as_deepspeeds_accumulation(reduce, deepspeed):
    losses, weights = train_standin(ours=True, reduce=reduce, deepspeed=deepspeed)
    ref_losses, ref_weights = train_standin(ours=False, reduce=reduce, deepspeed=deepspeed)
    assert losses == ref_losses
    assert all(torch.equal(a, b) for a, b in zip(weights, ref_weights))


class Branchy(torch.nn.Module):
    """Two layers; the second only on the micro-batches that ask for it."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.first = torch.nn.Linear(8, 8)
        self.second = torch.nn.Linear(8, 8)

    def forward(self, x, use_second: bool):
        y = self.first(x)
        if use_second:
            y = self.second(y)
        return y.pow(2).mean()


# (use_second per micro-batch) per step: the second layer gets gradients in step 1, none in step 2
# (its buffer still holds step 1's: it must read zero), and only from the second micro-batch in step 3.
# The second rank of the two-process check takes the other branch each time.
SCHEDULE = [(True, True), (False, False), (False, True), (True, False)]


def train_branchy(*, ours: bool, reduce: bool, rank: int = 0):
    import deepspeed

    d = init_distributed()
    _, train = tiny_cpu()
    train = dataclasses.replace(train, precision="bf16", zero_stage=1, weight_decay=0.1)
    stage = StageSettings(steps=len(SCHEDULE), lr=1e-2, warmup_steps=0, seq_length=8, micro_batch=4, grad_accum=2)
    model = Branchy()
    config = deepspeed_config(train, stage, d.world_size, on_cuda=False,
                              trainable_params=sum(p.numel() for p in model.parameters()))
    engine, *_ = deepspeed.initialize(model=model, model_parameters=list(model.parameters()), config=config)
    assert accumulate_by_copy_first(engine) is True
    if not ours:
        deepspeeds_own(engine)
    engine.enable_backward_allreduce = reduce
    g = torch.Generator().manual_seed(1 + rank)
    for micro_batches in SCHEDULE:
        for use_second in micro_batches:
            loss = engine(torch.randn(4, 8, generator=g).to(torch.bfloat16), use_second != bool(rank))
            engine.backward(loss)
            engine.step()
    return [p.detach().float().clone() for p in engine.module.parameters()]


@pytest.mark.parametrize("reduce", [False, True], ids=["no-reduction", "reduction"])
def test_a_parameter_without_gradient_in_a_step_reads_zero(reduce):
    weights = train_branchy(ours=True, reduce=reduce)
    assert all(torch.equal(a, b) for a, b in zip(weights, train_branchy(ours=False, reduce=reduce)))


def test_two_processes_train_deepspeeds_weights(tmp_path):
    """Two gloo ranks under ZeRO-1 (the reduction at every boundary, the step partitioned): the ranks
    take opposite branches, so a rank's gradient-less buffer meets the other's gradient in the all-reduce."""
    env = environment_without_rendezvous()
    env.update(OMP_NUM_THREADS="1", PYTHONPATH=str(REPO))
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node=2",
           str(REPO / "tests" / "train" / "bf16_accumulation_worker.py"), str(tmp_path)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    ranks = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in range(2)]
    assert all(r["world_size"] == 2 and r["equal"] for r in ranks)
    assert ranks[0]["digest"] == ranks[1]["digest"]  # the partitioned step gathered the same weights


def test_switching_after_a_backward_is_refused():
    engine, _ = standin_engine()
    deepspeeds_own(engine)
    loss = batch_loss(engine, random_batch(torch.Generator().manual_seed(0)), torch.device("cpu"))
    engine.backward(loss)
    with pytest.raises(RuntimeError, match="before the first backward"):
        accumulate_by_copy_first(engine)
