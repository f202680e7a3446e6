"""Launch a training job: one process per device through torchrun (`torch.distributed.run`), or in-process.

The rule's script calls `launch(job, **rule_launch_options(snakemake))`. On CUDA each node starts one
process per GPU (nccl); on CPU `pretrain.processes` processes (gloo), splitting the rule's threads
among them. Each worker runs `python -m xuanyuan.train worker <job.json>`, reads RANK / WORLD_SIZE /
LOCAL_RANK from torchrun's environment and calls `run_job`.

Across nodes (a rule whose resources ask for `nodes` > 1, run by SLURM): the job's script runs once,
on the allocation's first node; `launch` starts `python -m xuanyuan.cluster node` on every node
with srun, and each of those starts its node's torchrun with the node rank SLURM gave it; the first
node is the master of torchrun's static rendezvous (docs/cluster.md).

A worker that stops on a user's mistake (xuanyuan.errors.UserError) leaves its message beside the
checkpoints (worker_errors), and `launch` raises it as the job's error.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import torch

from xuanyuan.cluster.resources import gpus_of, nodes_of
from xuanyuan.cluster.slurm import Allocation, current_allocation, rendezvous_port, srun_per_node
from xuanyuan.errors import UserError
from xuanyuan.train import worker_errors
from xuanyuan.train.job import TrainJob
from xuanyuan.train.reshard import prepare_resume
from xuanyuan.train.settings import train_settings


_LAUNCHER_VARS = ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT",
                  "GROUP_RANK", "ROLE_RANK", "TORCHELASTIC_RUN_ID")


def environment_without_rendezvous() -> dict[str, str]:
    """This process's environment without a launcher's rank and rendezvous variables: a parent that ran
    an in-process rank has RANK/MASTER_PORT set (and listens on that port); a child process started
    with it must make its own world (torchrun's, or a world of one)."""
    return {k: v for k, v in os.environ.items() if k not in _LAUNCHER_VARS}


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


def _worker_env(threads: int | None, nproc: int) -> dict[str, str]:
    env = environment_without_rendezvous()
    if not torch.cuda.is_available() and threads:
        # Each CPU worker gets its share of the rule's threads; more would oversubscribe the cores.
        env["OMP_NUM_THREADS"] = str(max(1, threads // nproc))
    env.setdefault("PYTHONPATH", str(Path(__file__).resolve().parents[2]))
    return env


def _run(cmd: list[str], env: dict[str, str], log_path: str | Path | None) -> int:
    out = open(log_path, "a") if log_path else None
    try:
        return subprocess.run(cmd, env=env, stdout=out, stderr=subprocess.STDOUT if out else None).returncode
    finally:
        if out:
            out.close()


def run_node(job_file: str | Path, *, threads: int | None = None, gpus: int | None = None, nnodes: int = 1,
             node_rank: int = 0, master_addr: str | None = None, master_port: int = 29500,
             log_path: str | Path | None = None) -> int:
    """Start this node's torchrun for the job in `job_file`; return torchrun's exit status."""
    job = TrainJob.from_json(job_file)
    nproc = processes_per_node(job, gpus)
    cmd = torchrun_command(Path(job_file), nproc, nnodes=nnodes, node_rank=node_rank, master_addr=master_addr,
                           master_port=master_port)
    return _run(cmd, _worker_env(threads, nproc), log_path)


def launch(job: TrainJob, *, threads: int | None = None, gpus: int | None = None, nnodes: int = 1,
           node_rank: int = 0, master_addr: str | None = None, master_port: int = 29500,
           log_path: str | Path | None = None, allocation: Allocation | None = None) -> dict[str, Any]:
    """Run `job` with torchrun and return the export's summary (xuanyuan_train.json).

    With `allocation` and `nnodes` > 1, one torchrun per node of the allocation (srun); without it,
    this node's torchrun only (node `node_rank` of `nnodes`).
    """
    ckpt = Path(job.checkpoint_dir)
    ckpt.mkdir(parents=True, exist_ok=True)
    # Before any worker starts: a checkpoint of another world size is converted (or the run stops
    # with the fix). The nodes of an allocation are alike, so this node's device count holds for all.
    prepare_resume(job, nnodes * processes_per_node(job, gpus), workers=threads or 1,
                   run=lambda cmd: _run(list(cmd), _worker_env(None, 1), log_path))
    job_file = job.to_json(ckpt / "job.json")
    worker_errors.clear(ckpt)
    if allocation is not None and nnodes > 1:
        node_cmd = [sys.executable, "-m", "xuanyuan.cluster", "node", str(job_file), f"--nnodes={nnodes}",
                    f"--master-addr={master_addr or allocation.master_addr}", f"--master-port={master_port}"]
        node_cmd += [f"--threads={threads}"] if threads else []
        node_cmd += [f"--gpus={gpus}"] if gpus else []
        cmd = srun_per_node(allocation, nnodes, threads or 1, node_cmd)
        returncode = _run(cmd, _worker_env(None, 1), log_path)
        what = f"srun over {nnodes} nodes of SLURM job {allocation.job_id}"
    else:
        returncode = run_node(job_file, threads=threads, gpus=gpus, nnodes=nnodes, node_rank=node_rank,
                              master_addr=master_addr, master_port=master_port, log_path=log_path)
        what = "torchrun"
    if returncode != 0:
        where = f"; see {log_path}" if log_path else ""
        message = worker_errors.first_recorded(ckpt)
        if message is not None:  # a user's mistake, stated by the worker that met it
            raise UserError(f"{message} (training job {job.stage}, {what} exit {returncode}{where})")
        raise RuntimeError(f"training job {job.stage} failed ({what} exit {returncode}){where}; "
                           f"rerun resumes from {job.checkpoint_dir}")
    return json.loads((Path(job.out_dir) / "xuanyuan_train.json").read_text(encoding="utf-8"))


def rule_launch_options(snakemake) -> dict[str, Any]:
    """`launch` keyword arguments of a training rule's job: threads, the workers' log file, and from the
    rule's resources the GPUs per node and, for several nodes, the allocation's geometry."""
    options: dict[str, Any] = {"threads": snakemake.threads, "log_path": f"{snakemake.log[0]}.workers"}
    gpus = gpus_of(snakemake.resources)
    if gpus:
        options["gpus"] = gpus
    nnodes = nodes_of(snakemake.resources)
    if nnodes > 1:
        options.update(multi_node_options(nnodes))
    return options


def multi_node_options(nnodes: int, env=os.environ) -> dict[str, Any]:
    """nnodes, master address and port and the allocation of a job that asks for `nnodes` nodes."""
    allocation = current_allocation(env)
    if allocation is None:
        raise RuntimeError(
            f"this training job asks for {nnodes} nodes (config: resources.<group>.nodes) but runs outside a "
            "SLURM allocation; run it with `snakemake --profile slurm`, or set nodes: 1 for a local run")
    if len(allocation.nodes) < nnodes:
        raise RuntimeError(f"SLURM job {allocation.job_id} has {len(allocation.nodes)} node(s) "
                           f"({', '.join(allocation.nodes)}) but the rule asks for {nnodes}")
    return {"nnodes": nnodes, "master_addr": allocation.master_addr,
            "master_port": rendezvous_port(allocation, env), "allocation": allocation}


def run_in_process(job: TrainJob) -> dict[str, Any]:
    """One rank in this process (tests, notebooks): the same trainer, a world of one."""
    from xuanyuan.train.trainer import run_job

    prepare_resume(job, 1)
    return run_job(job)
