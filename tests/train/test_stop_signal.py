"""A SIGTERM (SLURM's time limit, scancel, preemption) checkpoints the steps done; a rerun goes on from there."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.train.conftest import make_job
from xuanyuan.train.checkpoint import latest_tag
from xuanyuan.train.launch import environment_without_rendezvous, launch
from xuanyuan.train.metrics import read_metrics
from xuanyuan.train.stop_signal import StopRequested, StopSignal

STEPS = 10


def test_a_stop_signal_is_remembered_not_fatal_and_the_old_handler_comes_back():
    before = signal.getsignal(signal.SIGTERM)
    stop = StopSignal().install()
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        os.kill(os.getpid(), signal.SIGTERM)  # a second one (torchrun forwards SLURM's) is no more fatal
        time.sleep(0.05)
        assert stop.received == "SIGTERM"
    finally:
        stop.restore()
    assert signal.getsignal(signal.SIGTERM) is before
    assert StopRequested("SIGTERM", 7, "step00000007").exit_code == 128 + signal.SIGTERM


def _job(tiny, root):
    # No periodic checkpoint within the run: the only one before the end is the signal's. One rank
    # (tests/slurm has two nodes agree on the signal).
    job = make_job(tiny, root, processes=1, checkpoint_every=1000, log_every=1)
    job.train["base_standin"] = {**job.train["base_standin"], "steps": STEPS}
    root.mkdir(parents=True, exist_ok=True)
    return job, job.to_json(root / "job.json")


def _live_members(process_group: int) -> list[int]:
    """Processes of the group that have not exited (zombies excluded: an orphan's may never be reaped here)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile
        if int(fields[2]) == process_group and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def _wait_until_gone(proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.time() + timeout
    proc.wait(timeout=timeout)
    while _live_members(proc.pid) and time.time() < deadline:
        time.sleep(0.1)
    if _live_members(proc.pid):
        os.killpg(proc.pid, signal.SIGKILL)
        raise AssertionError("the job's processes outlived the grace period")


@pytest.mark.slow
def test_sigterm_to_the_whole_job_checkpoints_the_steps_done_and_a_rerun_resumes_exactly(tiny, tmp_path):
    job, job_file = _job(tiny, tmp_path / "stopped")
    log = open(tmp_path / "stopped.log", "w")
    env = {**environment_without_rendezvous(), "OMP_NUM_THREADS": "1"}
    # As SLURM does at a time limit: SIGTERM to every process of the job (launcher, torchrun, workers).
    proc = subprocess.Popen([sys.executable, "-m", "xuanyuan.train", "launch", str(job_file), "--threads", "2"],
                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.time() + 240
    while time.time() < deadline and proc.poll() is None:
        if os.path.exists(job.metrics_path) and len(read_metrics(job.metrics_path)) >= 3:
            break
        time.sleep(0.02)
    assert proc.poll() is None, (tmp_path / "stopped.log").read_text()[-3000:]
    os.killpg(proc.pid, signal.SIGTERM)
    _wait_until_gone(proc, timeout=60)
    output = (tmp_path / "stopped.log").read_text()
    tag = latest_tag(job.checkpoint_dir)
    assert tag is not None, output[-3000:]
    stopped_at = int(tag[4:])
    assert 3 <= stopped_at < STEPS, output[-3000:]
    assert f"stopped by SIGTERM before step {stopped_at + 1}: checkpoint {tag} written" in output
    assert not (tmp_path / "stopped" / "model").exists()

    summary = launch(job, threads=2, log_path=tmp_path / "rerun.log")
    assert summary["resumed_from"] == stopped_at and summary["steps"] == STEPS

    straight, _ = _job(tiny, tmp_path / "straight")
    reference = launch(straight, threads=2, log_path=tmp_path / "straight.log")
    resumed, uninterrupted = read_metrics(job.metrics_path), read_metrics(straight.metrics_path)
    assert [r["step"] for r in resumed] == list(range(1, STEPS + 1))
    assert [r["loss"] for r in resumed] == [r["loss"] for r in uninterrupted]
    assert [r["grad_norm"] for r in resumed] == [r["grad_norm"] for r in uninterrupted]
    assert summary["eval_loss"] == reference["eval_loss"]
