"""Liger's fused linear cross-entropy and RoPE (model.liger_kernels), run for real on the CPU.

Triton's interpreter (TRITON_INTERPRET=1) executes Liger's own Triton kernels with numpy, so no GPU
is needed; it is slow, so the models are tiny. Liger patches the modeling module for the whole
process, so everything with Liger on runs in subprocesses: tests/train/liger_worker.py for the
loss and the rotation themselves, torchrun workers (2 gloo ranks, ZeRO-3) for the trainer.

Liger's RMSNorm and SwiGLU kernels do not run under Triton 3.9's interpreter (it passes float
arguments as Python floats, and RMSNorm stores a scalar); they are checked on a GPU
(bench/gpu_attention_check.py).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.train.conftest import make_job
from xuanyuan.train.metrics import read_metrics
from xuanyuan.train.model import FUSED_LOSS, FUSED_ROPE, LIGER_KERNELS, apply_fused_kernels, check_liger_kernels
from xuanyuan.train.settings import ModelSettings, model_settings

REPO = Path(__file__).resolve().parents[2]
needs_liger = pytest.mark.skipif(
    importlib.util.find_spec("liger_kernel") is None or importlib.util.find_spec("triton") is None,
    reason="liger-kernel and triton are not installed (pip install -e '.[dev]' installs them)")


def test_liger_kernel_names_are_checked_and_kept_in_order():
    assert check_liger_kernels([FUSED_LOSS, FUSED_ROPE, "rms_norm"]) == ("rms_norm", FUSED_ROPE, FUSED_LOSS)
    with pytest.raises(ValueError, match=r"model.liger_kernels: unknown kernel\(s\) \['cross_entropy'\]"):
        check_liger_kernels(["cross_entropy"])
    assert model_settings({"liger_kernels": ["swiglu"]}).liger_kernels == ("swiglu",)
    assert ModelSettings().liger_kernels == LIGER_KERNELS


def test_off_and_empty_apply_nothing():
    assert apply_fused_kernels("off") == ()
    assert apply_fused_kernels("on", []) == ()


@pytest.fixture(scope="module")
def worker(tmp_path_factory):
    """tests/train/liger_worker.py's comparisons, run once under Triton's interpreter."""
    out = tmp_path_factory.mktemp("liger_worker") / "liger.json"
    env = {**os.environ, "TRITON_INTERPRET": "1", "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, str(REPO / "tests" / "train" / "liger_worker.py"), str(out)], env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out.read_text())


@needs_liger
def test_fused_linear_cross_entropy_equals_the_plain_loss(worker):
    result = worker
    assert result["applied"] == [FUSED_LOSS]
    # fp32: the same loss and gradients as logits + our cross-entropy, to rounding.
    reference = result["reference_loss"]
    assert result["plain_float32"]["grad_error"] == 0.0
    assert abs(result["fused_float32"]["loss"] - reference) < 1e-6 * reference
    assert result["fused_float32"]["grad_error"] < 1e-5
    # bf16: no further from the fp32 truth than the plain bf16 path (fp32 log-sum-exp, fp32 LM-head accumulation).
    plain, fused = result["plain_bfloat16"], result["fused_bfloat16"]
    assert abs(fused["loss"] - reference) <= abs(plain["loss"] - reference) + 1e-4 * reference
    assert 0 < fused["grad_error"] <= 1.5 * plain["grad_error"] < 0.05
    # fp32 weights under bf16 autocast (precision: bf16_autocast): fp32 gradients, as close as the plain path's.
    plain, fused = result["plain_autocast"], result["fused_autocast"]
    assert plain["fp32_grads"] and fused["fp32_grads"]
    assert abs(fused["loss"] - reference) <= abs(plain["loss"] - reference) + 1e-4 * reference
    assert 0 < fused["grad_error"] <= 1.5 * plain["grad_error"] < 0.05
    # A micro-batch whose labels are all masked (Liger would divide by zero): loss 0, no gradient.
    assert result["no_counted_token"] == {"loss": 0.0, "grads_zero": True}


@needs_liger
def test_fused_rope_rotates_in_fp32_like_the_unfused_rotation(worker):
    model, long = worker["rope"]["model"], worker["rope"]["long_positions"]
    # fp32: Liger's kernel over our table gives the unfused rotation's loss and gradients.
    assert model["plain_float32"] == {"loss_error": 0.0, "grad_error": 0.0}
    assert model["fused_float32"]["loss_error"] < 1e-6 and model["fused_float32"]["grad_error"] < 1e-5
    assert model["fused_recomputed_equal"]  # in place, and recomputed under activation checkpointing: bitwise
    # bf16: about as close to the fp32 run as the unfused bf16 rotation (the interpreter truncates on the
    # kernel's store where a GPU rounds to nearest, hence the margin).
    plain, fused = model["plain_bfloat16"], model["fused_bfloat16"]
    assert fused["loss_error"] < 1e-4 and 0 < fused["grad_error"] <= 1.5 * plain["grad_error"] < 0.05
    # Positions up to 16,384, bf16 q/k, against float64, in bf16 spacings of each rotated pair's length:
    # the fp32 table is off by one rounding of the result at most (0.5 unfused; 1 in the interpreter's
    # truncating store), whichever kernel rotates. A bf16 table (what a bf16-cast rotary module
    # computes) rotates by wrong angles, hundreds of spacings (512 = the pair's length twice) with
    # either: the test can fail, and the kernel alone does not make RoPE right.
    assert long["plain_fp32_table"] <= 0.5 + 1e-3
    assert long["fused_fp32_table"] <= 1.0 + 1e-3
    assert long["plain_bf16_table"] > 100 and long["fused_bf16_table"] > 100


@pytest.fixture(scope="module")
def zero3_runs(tiny, standin, tmp_path_factory):
    """Stage 2 from the stand-in under ZeRO-3 on 2 ranks, fp32, with the fused loss and RoPE and without."""
    from xuanyuan.train.launch import launch

    root = tmp_path_factory.mktemp("liger")
    runs = {}
    for name, fused in (("plain", "off"), ("fused", "on")):
        job = make_job(tiny, root / name, stage="stage2", init_model=str(standin[0]), resize=True, zero_stage=3,
                       processes=2, precision="fp32")
        # Three steps: the first loss shows a wrongly read LM head, the next two the updates through
        # Liger's backward (each interpreted step costs seconds of CI).
        job.train["stage2"] = {**job.train["stage2"], "steps": 3}
        job = dataclasses.replace(job, model={**job.model, "fused_kernels": fused,
                                              "liger_kernels": [FUSED_LOSS, FUSED_ROPE]})
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("TRITON_INTERPRET", "1")
            summary = launch(job, threads=2, log_path=root / f"{name}.log")
        runs[name] = (summary, read_metrics(job.metrics_path))
    return runs


@needs_liger
@pytest.mark.slow
def test_trainer_with_the_fused_loss_and_rope_trains_as_the_plain_paths_under_zero3(zero3_runs):
    (plain_summary, plain), (fused_summary, fused) = zero3_runs["plain"], zero3_runs["fused"]
    assert plain_summary["liger_kernels"] == [] and fused_summary["liger_kernels"] == [FUSED_ROPE, FUSED_LOSS]
    assert fused_summary["world_size"] == 2 and "zero3_partitions" in fused_summary
    assert [r["step"] for r in fused] == [r["step"] for r in plain] == [1, 2, 3]
    # The LM head is partitioned; Liger reads its weight outside the head's forward, which ZeRO-3 gathers
    # on access. Had it read a partition, the first loss would already differ.
    for a, b in zip(fused, plain):
        assert a["loss"] == pytest.approx(b["loss"], rel=1e-5)
        assert a["grad_norm"] == pytest.approx(b["grad_norm"], rel=1e-4)
    assert fused[-1]["loss"] < fused[0]["loss"]
    # Evaluation takes the logits path in either run: the exported model's eval loss agrees too.
    assert fused_summary["eval_loss"] == pytest.approx(plain_summary["eval_loss"], rel=1e-5)
