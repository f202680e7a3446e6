"""ZeRO-3 construction under deepspeed.zero.Init: partitions only, same weights, same training as ZeRO-2.

One torchrun launch (2 gloo processes, tests/train/zero_init_worker.py) runs the construction
checks and then five short jobs from the stand-in, resized to the expanded tokenizer: stage 2 in
fp32 under ZeRO-2 and under ZeRO-3, stage 1 in bf16 under ZeRO-3, and the two ZeRO-3 jobs again
with activation checkpointing.
"""

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from transformers import AutoModelForCausalLM

from tests.conftest import REPO
from tests.train.conftest import make_job
from tests.train.test_freeze import _check as check_frozen_bitwise
from xuanyuan.train.data import collate, open_sampler
from xuanyuan.train.launch import environment_without_rendezvous
from xuanyuan.train.loss import batch_loss
from xuanyuan.train.metrics import read_metrics
from xuanyuan.train.rope import install_fp32_rope
from xuanyuan.train.settings import ActivationCheckpointing, train_settings

WORLD = 2
RUNS = {
    # name: (stage, precision, zero_stage, activation checkpointing)
    "fp32_zero2": ("stage2", "fp32", 2, False),
    "fp32_zero3": ("stage2", "fp32", 3, False),
    "bf16_zero3": ("stage1", "bf16", 3, False),
    "fp32_zero3_recompute": ("stage2", "fp32", 3, True),
    "bf16_zero3_recompute": ("stage1", "bf16", 3, True),
}


@pytest.fixture(scope="module")
def zero_runs(tiny, standin, tmp_path_factory):
    root = tmp_path_factory.mktemp("zero_init")
    jobs = {}
    for name, (stage, precision, zero_stage, recompute) in RUNS.items():
        job = make_job(tiny, root / name, stage=stage, init_model=str(standin[0]), resize=True, precision=precision,
                       zero_stage=zero_stage, processes=WORLD, checkpoint_every=100,
                       activation_checkpointing=ActivationCheckpointing(enabled=recompute),
                       peak_tflops=1.0)  # no matmul measurement at start (bf16 on CPU takes ~25 s)
        (root / name).mkdir()
        jobs[name] = job
    spec = {"standin": str(standin[0]), "expanded": str(tiny.expanded), "base_vocab": tiny.base_vocab,
            "out": str(root), "jobs": [{"name": n, "job": str(j.to_json(root / n / "job.json"))}
                                       for n, j in jobs.items()]}
    (root / "spec.json").write_text(json.dumps(spec))
    env = environment_without_rendezvous()
    env.update(OMP_NUM_THREADS="1", PYTHONPATH=str(REPO))
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc-per-node={WORLD}",
           str(REPO / "tests" / "train" / "zero_init_worker.py"), str(root / "spec.json")]
    with open(root / "workers.log", "w") as log:
        code = subprocess.run(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=600).returncode
    assert code == 0, (root / "workers.log").read_text()[-4000:]
    checks = [json.loads((root / f"checks.rank{r}.json").read_text()) for r in range(WORLD)]
    summaries = {name: json.loads((Path(job.out_dir) / "xuanyuan_train.json").read_text())
                 for name, job in jobs.items()}
    return jobs, checks, summaries


def _partition_size(numel: int) -> int:
    return math.ceil(numel / WORLD)


@pytest.mark.slow
def test_construction_is_partitioned_and_equals_the_whole_model(zero_runs, tiny):
    _, checks, _ = zero_runs
    for rank, out in enumerate(checks):
        # The fresh stand-in: bitwise the unpartitioned build, RNG stream unchanged.
        assert out["standin"]["different"] == [] and out["standin"]["rng_equal"]
        # The loaded and resized model: bitwise the unpartitioned load + resize (new rows, padding rows, head).
        resized = out["resized"]
        assert resized["different"] == [] and resized["counts_equal"]
        assert resized["vocab_size"] == resized["reference_vocab_size"] > tiny.base_vocab
        for holding in (out["standin"]["holding"], out["loaded"], resized["holding"]):
            # Every parameter is partitioned and none is whole on this rank: it holds its 1/WORLD share.
            assert holding["all_partitioned"] and holding["materialized_elements"] == 0
            assert holding["embedding_local_elements"] == _partition_size(holding["embedding_full_elements"])
            assert holding["local_elements"] <= holding["full_elements"] / WORLD + 64
        assert resized["holding"]["embedding_shape"][0] == resized["vocab_size"]
        # The load streamed the safetensors file into the partitions: rank 0 read every tensor once, holding
        # at most its largest module's (the embedding) at a time; the other rank read nothing.
        streamed = out["streamed"]
        if rank == 0:
            element_bytes = streamed["bytes_read"] // streamed["total_elements"]
            assert streamed["bytes_read"] == element_bytes * streamed["total_elements"] and element_bytes in (2, 4)
            assert streamed["max_bytes_at_once"] == element_bytes * streamed["largest_module_elements"]
            assert streamed["max_bytes_at_once"] < streamed["bytes_read"] / 2
        else:
            assert streamed["tensors"] == streamed["bytes_read"] == streamed["max_bytes_at_once"] == 0
        # Frozen fp32 copies: every frozen weight on rank 0, bitwise; nothing on the other ranks.
        frozen = out["frozen"]
        assert frozen["different"] == []
        assert frozen["count"] == (frozen["expected"] if rank == 0 else 0) and frozen["expected"] > 10


@pytest.mark.slow
def test_zero3_job_holds_only_its_partition_during_setup(zero_runs):
    _, _, summaries = zero_runs
    records = summaries["fp32_zero3"]["zero3_partitions"]
    assert len(records) == WORLD
    for record in records:
        assert record["materialized_elements"] == 0
        assert record["embedding_local_elements"] == _partition_size(record["embedding_full_elements"])
        assert record["local_elements"] <= record["full_elements"] / WORLD + 64
    assert "zero3_partitions" not in summaries["fp32_zero2"]
    assert summaries["fp32_zero3"]["params"] == summaries["fp32_zero2"]["params"]


@pytest.mark.slow
def test_zero3_run_matches_zero2(zero_runs):
    jobs, _, summaries = zero_runs
    zero2, zero3 = read_metrics(jobs["fp32_zero2"].metrics_path), read_metrics(jobs["fp32_zero3"].metrics_path)
    assert [r["step"] for r in zero3] == [r["step"] for r in zero2] == list(range(1, 7))
    # Same weights, same batches, and with 2 ranks the same gradient sums (a + b is exact in either order):
    # the losses are equal (bitwise here). The global grad norm is summed in another order from the
    # partitions under ZeRO-3, so it may differ in the last bits.
    assert zero3[0]["loss"] == zero2[0]["loss"]
    for a, b in zip(zero3, zero2):
        assert a["loss"] == pytest.approx(b["loss"], rel=1e-6, abs=0)
        assert a["grad_norm"] == pytest.approx(b["grad_norm"], rel=1e-6, abs=0)
    assert summaries["fp32_zero3"]["eval_loss"] == pytest.approx(summaries["fp32_zero2"]["eval_loss"], rel=1e-6, abs=0)


@pytest.mark.slow
def test_zero3_export_reloads_to_the_engines_eval_loss(zero_runs):
    jobs, _, summaries = zero_runs
    job = jobs["fp32_zero3"]
    settings = train_settings(job.train)
    sampler = open_sampler(job.data, settings.stage2.seq_length, settings.seed, order_key=job.stage)
    batch = collate([sampler[i] for i in range(job.eval_samples)])
    model = AutoModelForCausalLM.from_pretrained(job.out_dir, dtype=torch.float32).eval()
    install_fp32_rope(model)
    with torch.no_grad():
        assert float(batch_loss(model, batch, torch.device("cpu"))) == summaries["fp32_zero3"]["eval_loss"]


@pytest.mark.slow
def test_zero3_bf16_stage1_keeps_frozen_fp32_weights_bitwise(zero_runs, standin, tiny):
    jobs, checks, summaries = zero_runs
    check_frozen_bitwise(Path(jobs["bf16_zero3"].out_dir), standin[0], tiny.expanded)
    # The partitions, built in fp32 and cast to bf16 before deepspeed.initialize, are bitwise the
    # engine's own cast of the unpartitioned model.
    for out in checks:
        assert out["cast"] > 10 and out["cast_different"] == []
    assert summaries["bf16_zero3"]["zero3_partitions"][0]["materialized_elements"] == 0


@pytest.mark.slow
@pytest.mark.parametrize("name", ["fp32_zero3", "bf16_zero3"])
def test_zero3_with_activation_checkpointing_has_the_same_losses(zero_runs, name):
    # The recomputation gathers each layer's partitioned weights again; the losses and grad norms are
    # bitwise those of the run that stored its activations (fp32 stage 2; bf16 stage 1 with frozen layers).
    jobs, _, summaries = zero_runs
    plain, recompute = read_metrics(jobs[name].metrics_path), read_metrics(jobs[name + "_recompute"].metrics_path)
    assert summaries[name + "_recompute"]["checkpointed_layers"] == 2 and summaries[name]["checkpointed_layers"] == 0
    assert [(r["step"], r["loss"], r["grad_norm"]) for r in recompute] == [
        (r["step"], r["loss"], r["grad_norm"]) for r in plain]
    assert summaries[name + "_recompute"]["eval_loss"] == summaries[name]["eval_loss"]
