"""Launch a training job: one process per device through torchrun (`torch.distributed.run`), or in-process.

The rule's script calls `launch(job, threads=..., gpus=...)`. On CUDA it starts one process per GPU
(nccl); on CPU `pretrain.processes` processes (gloo), splitting the rule's threads among them.
Each worker runs `python -m xuanyuan.train worker <job.json>`, reads RANK / WORLD_SIZE /
LOCAL_RANK from torchrun's environment and calls `run_job`. Across nodes (SLURM), pass `nnodes`,
`node_rank` and `master_addr`; torchrun's static rendezvous then joins the nodes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import torch

from xuanyuan.train.job import TrainJob
from xuanyuan.train.settings import train_settings


_LAUNCHER_VARS = ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT",
                  "GROUP_RANK", "ROLE_RANK", "TORCHELASTIC_RUN_ID")


def processes_per_node(job: TrainJob, gpus: int | None = None) -> int:
    """GPUs on CUDA (all visible ones unless `gpus` says), else `pretrain.processes`."""
    if torch.cuda.is_available():
        return gpus or torch.cuda.device_count()
    return train_settings(job.train).processes


def torchrun_command(job_file: Path, nproc: int, *, nnodes: int = 1, node_rank: int = 0,
                     master_addr: str | None = None, master_port: int = 29500) -> list[str]:
    """The torchrun command line that runs the workers of one node."""
    cmd = [sys.executable, "-m", "torch.distributed.run", f"--nproc-per-node={nproc}"]
    if nnodes == 1 and master_addr is None:
        cmd.append("--standalone")
    else:
        cmd += [f"--nnodes={nnodes}", f"--node-rank={node_rank}", f"--master-addr={master_addr}",
                f"--master-port={master_port}"]
    return cmd + ["-m", "xuanyuan.train", "worker", str(job_file)]


def launch(job: TrainJob, *, threads: int | None = None, gpus: int | None = None, nnodes: int = 1,
           node_rank: int = 0, master_addr: str | None = None, log_path: str | Path | None = None) -> dict[str, Any]:
    """Run `job` with torchrun on this node and return the export's summary (xuanyuan_train.json)."""
    nproc = processes_per_node(job, gpus)
    ckpt = Path(job.checkpoint_dir)
    ckpt.mkdir(parents=True, exist_ok=True)
    job_file = job.to_json(ckpt / "job.json")
    # A parent that ran an in-process rank has RANK/MASTER_PORT set; torchrun must set its own.
    env = {k: v for k, v in os.environ.items() if k not in _LAUNCHER_VARS}
    if not torch.cuda.is_available() and threads:
        # Each CPU worker gets its share of the rule's threads; more would oversubscribe the cores.
        env["OMP_NUM_THREADS"] = str(max(1, threads // nproc))
    env.setdefault("PYTHONPATH", str(Path(__file__).resolve().parents[2]))
    cmd = torchrun_command(job_file, nproc, nnodes=nnodes, node_rank=node_rank, master_addr=master_addr)
    out = open(log_path, "a") if log_path else None
    try:
        result = subprocess.run(cmd, env=env, stdout=out, stderr=subprocess.STDOUT if out else None)
    finally:
        if out:
            out.close()
    if result.returncode != 0:
        where = f"; see {log_path}" if log_path else ""
        raise RuntimeError(f"training job {job.stage} failed (torchrun exit {result.returncode}){where}; "
                           f"rerun resumes from {job.checkpoint_dir}")
    return json.loads((Path(job.out_dir) / "xuanyuan_train.json").read_text(encoding="utf-8"))


def rule_launch_options(snakemake) -> dict[str, Any]:
    """`launch` keyword arguments of a training rule's job: its threads and the workers' log file."""
    return {"threads": snakemake.threads, "log_path": f"{snakemake.log[0]}.workers"}


def run_in_process(job: TrainJob) -> dict[str, Any]:
    """One rank in this process (tests, notebooks): the same trainer, a world of one."""
    from xuanyuan.train.trainer import run_job

    return run_job(job)
