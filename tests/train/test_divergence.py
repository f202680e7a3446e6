"""A diverging run stops before it checkpoints or exports non-finite weights, and says what to change."""

import math
import re

import pytest
import torch

from tests.train.conftest import make_job
from xuanyuan.errors import UserError
from xuanyuan.train.checkpoint import latest_tag
from xuanyuan.train.divergence import DivergenceGuard, TrainingDiverged
from xuanyuan.train.launch import launch, run_in_process
from xuanyuan.train.metrics import read_metrics


def _diverging_job(tiny, root, **overrides):
    # An lr of 1e30: the first update sends every weight to about 1e30, and the next forward overflows.
    job = make_job(tiny, root, **overrides)
    job.train["base_standin"] = {**job.train["base_standin"], "lr": 1e30, "warmup_steps": 0, "steps": 6}
    return job


def _add(guard, *steps):
    for step, loss, grad_norm in steps:
        guard.add(step, torch.tensor(loss, dtype=torch.float64), grad_norm)


def test_the_guard_names_the_first_non_finite_step_and_passes_finite_ones():
    guard = DivergenceGuard("stage2", "/ckpt", "/metrics.jsonl")
    _add(guard, (11, 2.5, torch.tensor(0.9)), (12, 2.4, 1.0))
    guard.check(12, latest="step00000010")  # all finite: nothing happens, and the pending steps are read
    assert guard.pending == []
    _add(guard, (13, 2.3, None), (14, math.inf, 3.0), (15, math.nan, math.nan))
    with pytest.raises(TrainingDiverged, match=r"the loss of step 14 is inf and its gradient norm 3.0; "
                                               r"stopped at step 15") as error:
        guard.check(15, latest="step00000010")
    message = str(error.value)
    assert "`latest` names step00000010" in message and "lower pretrain.stage2.lr" in message
    assert "add to pretrain.stage2.restarts an entry {from_step: 10, skip_steps:" in message
    assert "/metrics.jsonl has the losses" in message and isinstance(error.value, UserError)
    # A step DeepSpeed skipped: a finite loss, a non-finite norm.
    sft = DivergenceGuard("sft1", "/ckpt", "/metrics.jsonl")
    _add(sft, (1, 2.0, 1.0), (2, 1.9, torch.tensor(math.inf)), (3, 1.9, 1.0))
    with pytest.raises(TrainingDiverged, match=r"the loss of step 2 is 1.9 and its gradient norm inf; stopped at "
                                               r"step 3.* No checkpoint of this stage.* lower sft\.stage1\.train\.lr"):
        sft.check(3, latest=None)


@pytest.mark.parametrize("zero_stage,precision", [(0, "fp32"), (2, "fp32"), (1, "bf16"), (3, "bf16")])
def test_a_diverging_run_stops_before_its_next_checkpoint_and_keeps_the_last_one(tiny, tmp_path, zero_stage,
                                                                                   precision):
    # ZeRO-0 fp32 applies the overflowing update (NaN weights); the ZeRO and BF16 optimizers skip it.
    job = _diverging_job(tiny, tmp_path, checkpoint_every=1, log_every=4, zero_stage=zero_stage, precision=precision)
    with pytest.raises(TrainingDiverged) as error:
        run_in_process(job)
    # Step 1 trains on finite weights; its update sends them to about 1e30, and within a step or two a
    # loss or gradient is not finite. The check before that step's checkpoint stops the run: the
    # checkpoints are those of the steps before it, and nothing is exported.
    first = int(re.search(r"diverged: the loss of step (\d+) is", str(error.value)).group(1))
    assert first >= 2, error.value
    assert latest_tag(job.checkpoint_dir) == f"step{first - 1:08d}", error.value
    written = sorted(int(p.name[4:]) for p in tmp_path.joinpath("ckpt").glob("step*"))
    assert written and max(written) == first - 1
    assert not tmp_path.joinpath("model").exists()


def test_a_worker_s_divergence_is_the_launcher_s_error_on_every_rank(tiny, tmp_path):
    # Two torchrun processes, checked first at a log (step 3): the launcher raises the worker's message.
    job = _diverging_job(tiny, tmp_path, processes=2, checkpoint_every=100, log_every=3)
    with pytest.raises(UserError, match=r"training base_standin diverged: the loss of step 2 is .*; stopped at "
                                        r"step 3 .* No checkpoint of this stage was written") as error:
        launch(job, threads=2, log_path=tmp_path / "train.log")
    assert "torchrun exit 1" in str(error.value)
    records = read_metrics(job.metrics_path)
    assert [r["step"] for r in records] == [3]  # the metrics show it
    assert not (math.isfinite(records[0]["loss"]) and math.isfinite(records[0]["grad_norm"])), records
    assert latest_tag(job.checkpoint_dir) is None and not tmp_path.joinpath("model").exists()


def test_worker_errors_are_read_lowest_rank_first_and_cleared_before_a_launch(tmp_path):
    from xuanyuan.train import worker_errors

    assert worker_errors.first_recorded(tmp_path) is None
    worker_errors.record(tmp_path, UserError("rank 3 says"), rank=3)
    worker_errors.record(tmp_path, UserError("rank 1 says"), rank=1)
    assert worker_errors.first_recorded(tmp_path) == "rank 1 says"
    worker_errors.clear(tmp_path)
    assert worker_errors.first_recorded(tmp_path) is None
