"""The pipeline through a real SLURM: `--profile slurm` from the repository root, a two-node training
job, a training job cancelled with scancel (whose workers checkpoint on its SIGTERM) that Snakemake
resubmits and that resumes from that checkpoint, and the same
stage resumed on one node (pretrain.resume_across_world_sizes).

One cluster run covers the first three; the fourth reruns its training job. Every level of the DAG costs a SLURM job's start (a Snakemake
process that parses the workflow, then the script), so the tiny config's early data stages run
locally first, and the cluster runs one level of data jobs (keyword candidates per shard, in
parallel with tokenization of the stand-in's data) and then the stand-in pretraining on 2 nodes x
1 process. Status polls come every 2 s (tests/slurm/poll_fast.py) instead of the plugin's backoff.
A watcher thread records what squeue shows and cancels the training job once it has a checkpoint.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from tests.local_snakemake import local_env
from tests.slurm.conftest import REPO, shared_once, snakemake_command, tiny_slurm_config
from xuanyuan.train.checkpoint import latest_tag

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("slurm")]

TRAIN_RULE = "pretrain_base_standin"
STEPS, EVERY = 20, 4
LOCAL_TARGETS = ["work/tokenizer/standin"]  # everything up to the quality filter and the tokenizer
SLURM_TARGETS = ["models/base/xuanyuan_train.json",
                 *(f"work/quality_model/keywords/{source}/000.jsonl.zst" for source in ("zh_news", "en_web"))]


@dataclass
class Watcher:
    """Polls squeue; cancels the first running job of `cancel_rule` once `checkpoint_dir` has a checkpoint."""

    cancel_rule: str
    checkpoint_dir: Path
    seen: dict[str, dict] = field(default_factory=dict)
    cancelled: dict | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    def poll(self) -> None:
        out = subprocess.run(["squeue", "-h", "-o", "%i|%k|%T|%N"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            job_id, comment, state, nodes = line.split("|")
            if not comment.startswith("rule_"):
                continue  # not submitted by Snakemake
            rule = comment.removeprefix("rule_").split("_wildcards_")[0]
            job = self.seen.setdefault(job_id, {"rule": rule, "states": set(), "nodes": ""})
            job["states"].add(state)
            if state == "RUNNING":
                # A pending job has no nodes yet, and a completing one lists only the nodes that have
                # not yet released it (a cancelled 2-node job shows `node1` alone for a moment).
                job["nodes"] = nodes
            if (self.cancelled is None and rule == self.cancel_rule and state == "RUNNING"
                    and latest_tag(self.checkpoint_dir) is not None):
                subprocess.run(["scancel", job_id], check=True)
                self.cancelled = {"job": job_id, "checkpoint": latest_tag(self.checkpoint_dir)}

    def run(self) -> None:
        while not self._stop.is_set():
            self.poll()
            time.sleep(0.3)

    def __enter__(self):
        self._thread = threading.Thread(target=self.run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=10)


@dataclass
class ClusterRun:
    directory: Path
    returncode: int
    stdout: str
    stderr: str
    seen: dict[str, dict]      # SLURM job id -> rule, states and nodes squeue showed
    cancelled: dict | None     # the training job scancel hit, and its latest checkpoint then
    seconds: float
    # Read when the run ends: resized_run later changes the directory, maybe while another xdist
    # worker runs the tests that read these.
    summary: dict | None = None  # the stand-in's xuanyuan_train.json
    workers_log: str = ""        # its training workers' log

    def failure(self) -> str:
        logs = sorted((self.directory / "logs").rglob("*.log*")) if (self.directory / "logs").exists() else []
        slurm_logs = sorted((self.directory / ".snakemake" / "slurm_logs").rglob("*.log"))
        tails = "\n".join(f"--- {p}\n{p.read_text(errors='replace')[-2500:]}" for p in [*logs, *slurm_logs][-8:])
        return f"snakemake exit {self.returncode}\n{self.stdout[-3000:]}\n{self.stderr[-5000:]}\n{tails}"


def _run_on_the_cluster(directory: Path) -> ClusterRun:
    directory.mkdir(parents=True, exist_ok=True)
    config = tiny_slurm_config(
        pretrain={"base_standin": {"steps": STEPS}, "checkpoint_every": EVERY, "log_every": 5, "processes": 1},
    )
    # Training on two nodes, one process and one (fake) GPU each: the gres, nodes and srun paths of a
    # GPU cluster; torch sees no CUDA, so the processes talk gloo.
    config["resources"]["pretrain"] = {"nodes": 2, "threads": 1, "gpus_per_node": 1, "mem_mb": 1500}
    config_file = directory / "slurm_test.yaml"
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True))
    local = subprocess.run(
        [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), *LOCAL_TARGETS, "--cores", "2",
         "--configfile", str(config_file), "--directory", str(directory)],
        cwd=REPO, capture_output=True, text=True, timeout=600, env=local_env())
    if local.returncode != 0:
        return ClusterRun(directory, local.returncode, local.stdout, "local part failed:\n" + local.stderr, {}, None, 0)
    command = snakemake_command(directory, config_file, *SLURM_TARGETS, "--retries", "1")
    start = time.monotonic()
    with Watcher(TRAIN_RULE, directory / "work" / "checkpoints" / "base_standin") as watcher:
        result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=900)
    summary = directory / "models" / "base" / "xuanyuan_train.json"
    workers = directory / "logs" / "pretrain" / "base_standin.log.workers"
    return ClusterRun(directory, result.returncode, result.stdout, result.stderr, watcher.seen, watcher.cancelled,
                      time.monotonic() - start, json.loads(summary.read_text()) if summary.exists() else None,
                      workers.read_text(errors="replace") if workers.exists() else "")


@pytest.fixture(scope="module")
def cluster_run(slurm_cluster, tmp_path_factory) -> ClusterRun:
    """One run through SLURM for the whole test session, whichever xdist worker asks first."""
    with shared_once(tmp_path_factory, "slurm_run") as directory:
        record = directory / "run.json"
        if not record.exists():
            shutil.rmtree(directory, ignore_errors=True)
            run = _run_on_the_cluster(directory)
            fields = {**run.__dict__, "directory": str(run.directory),
                      "seen": {k: {**v, "states": sorted(v["states"])} for k, v in run.seen.items()}}
            record.write_text(json.dumps(fields))
        fields = json.loads(record.read_text())
        return ClusterRun(**{**fields, "directory": Path(fields["directory"])})


def test_the_slurm_profile_is_found_from_the_repository_root():
    # Snakemake looks for a profile name in $PWD first: `slurm` there links to profiles/slurm.
    profile = yaml.safe_load((REPO / "slurm" / "config.yaml").read_text())
    assert profile["executor"] == "slurm" and profile["slurm-status-command"] == "squeue"
    assert (REPO / "slurm").resolve() == (REPO / "profiles" / "slurm").resolve()


def test_a_pipeline_slice_runs_through_slurm(cluster_run):
    assert cluster_run.returncode == 0, cluster_run.failure()
    rules = {job["rule"] for job in cluster_run.seen.values()}
    # data stages, tokenization and training were SLURM jobs that squeue showed
    assert {"keyword_candidates", "base_tokenized", TRAIN_RULE} <= rules, rules
    summary = cluster_run.summary
    assert summary["steps"] == STEPS
    print(f"slurm run: {cluster_run.seconds:.0f} s, {len(cluster_run.seen)} SLURM jobs")


def test_training_runs_on_two_nodes_with_a_rank_on_each(cluster_run):
    assert cluster_run.returncode == 0, cluster_run.failure()
    summary = cluster_run.summary
    assert summary["world_size"] == 2  # 2 nodes x 1 process: both torchruns joined one rendezvous
    training = [job for job in cluster_run.seen.values() if job["rule"] == TRAIN_RULE]
    assert training and all(job["nodes"] == "node[1-2]" for job in training), training
    workers = cluster_run.workers_log
    assert "node_rank 0 of 2 on node1" in workers and "node_rank 1 of 2 on node2" in workers, workers[-3000:]


def test_scancel_resubmits_the_training_job_and_it_resumes(cluster_run):
    assert cluster_run.returncode == 0, cluster_run.failure()
    cancelled = cluster_run.cancelled
    assert cancelled is not None, "the training job finished before it could be cancelled"
    training = [job_id for job_id, job in cluster_run.seen.items() if job["rule"] == TRAIN_RULE]
    assert len(training) == 2 and cancelled["job"] in training  # the cancelled job and its resubmission
    summary = cluster_run.summary
    assert summary["resumed_from"] >= int(cancelled["checkpoint"].removeprefix("step")) > 0
    assert summary["steps"] == STEPS
    # scancel's SIGTERM reached the workers on both nodes: they checkpointed the steps done before
    # exiting, and the resubmitted job went on from that step, not from the periodic checkpoint before.
    stopped = re.findall(r"^(\d+): .* stopped by SIGTERM before step \d+: checkpoint step(\d+) written",
                         cluster_run.workers_log, flags=re.M)  # srun prefixes each line with its task
    assert sorted(node for node, _ in stopped) == ["0", "1"], cluster_run.workers_log[-3000:]
    assert {int(step) for _, step in stopped} == {summary["resumed_from"]}


@dataclass
class ResizedRun:
    before: dict               # the 2-node run's summary
    after: dict | None         # the summary of the run resumed on 1 node
    resumed_at: int            # the checkpoint step it was sent back to
    run: ClusterRun


@pytest.fixture(scope="module")
def resized_run(cluster_run) -> ResizedRun:
    """The 2-node stage as if its last job had died after the checkpoint before the end, then rerun by
    Snakemake on 1 node with `pretrain.resume_across_world_sizes: true` (a node lost for good)."""
    assert cluster_run.returncode == 0, cluster_run.failure()
    directory = cluster_run.directory
    checkpoints = directory / "work" / "checkpoints" / "base_standin"
    before = cluster_run.summary
    shutil.rmtree(checkpoints / latest_tag(checkpoints))
    resumed_at = STEPS - EVERY
    (checkpoints / "latest").write_text(f"step{resumed_at:08d}")
    shutil.rmtree(directory / "models" / "base")

    config = yaml.safe_load((directory / "slurm_test.yaml").read_text())
    config["resources"]["pretrain"]["nodes"] = 1
    config["pretrain"]["resume_across_world_sizes"] = True
    config_file = directory / "slurm_resized.yaml"
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True))
    command = snakemake_command(directory, config_file, "models/base/xuanyuan_train.json")
    start = time.monotonic()
    with Watcher("(cancels nothing)", checkpoints) as watcher:
        result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)
    run = ClusterRun(directory, result.returncode, result.stdout, result.stderr, watcher.seen, None,
                     time.monotonic() - start)
    summary = directory / "models" / "base" / "xuanyuan_train.json"
    return ResizedRun(before, json.loads(summary.read_text()) if summary.exists() else None, resumed_at, run)


def test_a_stage_of_two_nodes_goes_on_on_one_keeping_its_global_batch(resized_run):
    run = resized_run.run
    assert run.returncode == 0 and resized_run.after is not None, run.failure()
    before, after = resized_run.before, resized_run.after
    assert before["world_size"] == 2 and after["world_size"] == 1
    assert after["resumed_from"] == resized_run.resumed_at
    assert after["grad_accum"] == 2 * before["grad_accum"] and after["samples"] == before["samples"]
    training = [job for job in run.seen.values() if job["rule"] == TRAIN_RULE]
    assert len(training) == 1 and training[0]["nodes"] in ("node1", "node2"), run.seen  # only training reran
    log = (run.directory / "logs" / "pretrain" / "base_standin.log").read_text(errors="replace")
    assert "1 ranks resume the checkpoint of 2 from its universal form" in log, log[-3000:]
    assert not list((run.directory / "work" / "checkpoints" / "base_standin").glob("*_universal*"))
    print(f"resized run: {run.seconds:.0f} s")
