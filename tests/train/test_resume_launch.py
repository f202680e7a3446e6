"""Fault recovery (SIGKILL mid-run, rerun, same losses) and 2-process training through torchrun."""

import json
import signal
import subprocess
import sys
import time

import pytest
import torch

from tests.conftest import REPO
from tests.train.conftest import make_job, with_validation
from xuanyuan.train.checkpoint import latest_tag
from xuanyuan.train.launch import environment_without_rendezvous, launch
from xuanyuan.train.metrics import read_metrics
from xuanyuan.train.perplexity import model_perplexity
from xuanyuan.train.validation import heldout_texts

STEPS, EVERY = 20, 5


def _worker(job_file):
    env = environment_without_rendezvous()
    env["OMP_NUM_THREADS"] = "1"
    return subprocess.Popen([sys.executable, "-m", "xuanyuan.train", "worker", str(job_file)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _job(tiny, root, standin_dir):
    # Stage 2 (all parameters) from the stand-in, fp32, ZeRO 2, a checkpoint every EVERY steps.
    job = make_job(tiny, root, stage="stage2", init_model=str(standin_dir), resize=True, zero_stage=2,
                   checkpoint_every=EVERY, keep_checkpoints=2)
    job.train["stage2"] = {**job.train["stage2"], "steps": STEPS}
    root.mkdir(parents=True, exist_ok=True)
    return job, job.to_json(root / "job.json")


@pytest.mark.slow
def test_sigkill_then_rerun_resumes_with_identical_losses(tiny, standin, tmp_path):
    job, job_file = _job(tiny, tmp_path / "killed", standin[0])
    proc = _worker(job_file)
    deadline = time.time() + 240
    while latest_tag(job.checkpoint_dir) is None and proc.poll() is None and time.time() < deadline:
        time.sleep(0.01)
    assert proc.poll() is None, "training finished before it could be killed: " + proc.stderr.read().decode()[-2000:]
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    killed_at = int(latest_tag(job.checkpoint_dir)[4:])
    assert 0 < killed_at < STEPS
    assert not (tmp_path / "killed" / "model").exists()

    rerun = _worker(job_file)
    assert rerun.wait(timeout=300) == 0, rerun.stderr.read().decode()[-3000:]
    summary = json.loads((tmp_path / "killed" / "model" / "xuanyuan_train.json").read_text())
    assert summary["resumed_from"] >= killed_at > 0

    ref, ref_file = _job(tiny, tmp_path / "straight", standin[0])
    straight = _worker(ref_file)
    assert straight.wait(timeout=300) == 0, straight.stderr.read().decode()[-3000:]
    resumed = read_metrics(job.metrics_path)
    uninterrupted = read_metrics(ref.metrics_path)
    assert [r["step"] for r in resumed] == list(range(1, STEPS + 1))
    assert [r["loss"] for r in resumed] == [r["loss"] for r in uninterrupted]
    assert [r["grad_norm"] for r in resumed] == [r["grad_norm"] for r in uninterrupted]
    assert summary["eval_loss"] == json.loads((tmp_path / "straight" / "model" / "xuanyuan_train.json").read_text())["eval_loss"]


@pytest.mark.slow
@pytest.mark.parametrize("zero_stage,precision", [(3, "fp32"), (2, "bf16_autocast")])
def test_two_processes_through_torchrun(tiny, standin, tmp_path, zero_stage, precision):
    job = make_job(tiny, tmp_path, stage="stage2", init_model=str(standin[0]), resize=True, zero_stage=zero_stage,
                   processes=2, precision=precision)
    job = with_validation(job, tmp_path, every=3)
    summary = launch(job, threads=2, log_path=tmp_path / "train.log")
    assert summary["world_size"] == 2 and summary["steps"] == 6
    assert (tmp_path / "model" / "model.safetensors").is_file()
    records = read_metrics(job.metrics_path)
    assert [r["samples"] for r in records] == [2 * 2 * s for s in range(1, 7)]
    # The spike watch saw each step's loss as the metrics file logs it (every step here): the mean over the
    # two ranks, gathered in the divergence check. Its window travels in the checkpoint's client state.
    states = sorted((tmp_path / "ckpt" / "step00000006").glob("*model_states.pt"))  # ZeRO-3: one per rank
    client = torch.load(states[0], weights_only=False)
    assert client["spikes"]["history"]["loss"] == pytest.approx([r["loss"] for r in records], rel=1e-12, abs=0)
    assert client["spikes"]["history"]["grad_norm"] == pytest.approx([r["grad_norm"] for r in records], rel=1e-12)
    # Held-out perplexity, its windows shared out over the two ranks (under ZeRO-3 each runs every forward):
    # what the export scores on one process.
    export = model_perplexity(job.out_dir, heldout_texts(job.validation, 4), window=24, batch_size=3)
    assert [r["step"] for r in records if "val_ppl_char_en" in r] == [3, 6]
    for name in export:
        assert records[-1][f"val_ppl_char_{name}"] == pytest.approx(export[name]["ppl_char"], rel=1e-5)
    if zero_stage == 3:
        _export_on_one_rank(tmp_path, job)


def _export_on_one_rank(tmp_path, job):
    """The command line export of the 2-rank ZeRO-3 checkpoint of the last step, on one rank: it stops without
    --convert, and through DeepSpeed's universal form gives the stage's own export, bitwise."""
    from safetensors.torch import load_file

    command = [sys.executable, "-m", "xuanyuan.train", "export", str(tmp_path / "ckpt"), "--out", str(tmp_path / "one"),
               "--processes", "1", "--threads", "1"]
    refused = subprocess.run(command, capture_output=True, text=True, env=environment_without_rendezvous())
    assert refused.returncode == 1 and "written by 2 ranks and this export runs 1" in refused.stderr, refused.stderr
    done = subprocess.run(command + ["--convert"], capture_output=True, text=True, env=environment_without_rendezvous())
    assert done.returncode == 0, done.stderr[-3000:]
    assert "step 6 of stage2" in done.stdout
    summary = json.loads((tmp_path / "one" / "xuanyuan_train.json").read_text())
    assert summary["world_size"] == 1 and summary["exported_from"]["step"] == 6
    ours = load_file(tmp_path / "one" / "model.safetensors")
    stages = load_file(tmp_path / "model" / "model.safetensors")
    assert ours.keys() == stages.keys()
    assert all(torch.equal(ours[name], stages[name]) for name in stages)
    assert not list((tmp_path / "ckpt").glob(".export-*"))


@pytest.mark.slow
def test_latest_is_written_only_once_every_rank_has_saved_its_part(tmp_path):
    """With two ranks, `latest` (what a killed job resumes from) appears only after the slower rank's files."""
    env = environment_without_rendezvous()
    env.update(OMP_NUM_THREADS="1", PYTHONPATH=str(REPO))
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node=2",
           str(REPO / "tests" / "train" / "save_order_worker.py"), str(tmp_path)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert latest_tag(tmp_path / "ckpt") == "step00000001"
    assert (tmp_path / "ckpt" / "latest").stat().st_mtime >= float((tmp_path / "rank1_saved").read_text())


def test_latest_names_a_checkpoint_only_once_its_record_is_written(tmp_path):
    """A save killed between DeepSpeed's files and our record leaves `latest` at the previous checkpoint:
    every checkpoint a run resumes from has the record (world size, global batch) that says how."""
    import dataclasses

    from xuanyuan.train.checkpoint import resume_point, save, tag_for
    from xuanyuan.train.distributed import init_distributed
    from xuanyuan.train.model import build_standin
    from xuanyuan.train.settings import StageSettings, tiny_cpu
    from xuanyuan.train.trainer import build_engine

    model_settings, train = tiny_cpu()
    stage = StageSettings(steps=3, lr=1e-3, warmup_steps=0, seq_length=16, micro_batch=2)
    engine = build_engine(build_standin(model_settings, 320, seed=0), dataclasses.replace(train, zero_stage=1), stage,
                          init_distributed())
    common = dict(settings={}, keep=2, is_main=True, world_size=1, global_batch=2)
    save(engine, tmp_path, step=1, samples=2, **common)
    assert latest_tag(tmp_path) == tag_for(1) and not list(tmp_path.glob(".latest*"))

    (tmp_path / tag_for(2) / "xuanyuan_train.json").mkdir(parents=True)  # the record cannot be written
    with pytest.raises(IsADirectoryError):
        save(engine, tmp_path, step=2, samples=4, **common)
    assert latest_tag(tmp_path) == tag_for(1)
    point = resume_point(tmp_path)
    assert (point.step, point.samples, point.world_size, point.global_batch) == (1, 2, 1, 2)
