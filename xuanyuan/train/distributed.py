"""Process-group setup from torchrun's environment (RANK, WORLD_SIZE, LOCAL_RANK), or one in-process rank."""

from __future__ import annotations

import logging
import os
import random
import socket
import sys
from dataclasses import dataclass
from typing import NoReturn

import numpy as np
import torch
import torch.distributed as dist


@dataclass(frozen=True)
class Dist:
    rank: int
    world_size: int
    local_rank: int
    device: torch.device

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def init_distributed() -> Dist:
    """Join (or create, when no launcher set RANK) the process group: gloo on CPU, nccl on CUDA."""
    if "RANK" not in os.environ:
        # In-process single rank (tests, notebooks): the same code path with a world of one.
        os.environ.update({"RANK": "0", "WORLD_SIZE": "1", "LOCAL_RANK": "0", "LOCAL_WORLD_SIZE": "1",
                           "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(_free_port())})
    rank, world, local = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"]), int(os.environ.get("LOCAL_RANK", 0))
    if torch.cuda.is_available():
        torch.cuda.set_device(local)
        device, backend = torch.device("cuda", local), "nccl"
    else:
        device, backend = torch.device("cpu"), "gloo"
    if not dist.is_initialized():
        import deepspeed

        if backend == "gloo":
            _skip_shared_memory_allreduce_build()
        deepspeed.init_distributed(dist_backend=backend, auto_mpi_discovery=False)
    return Dist(rank, world, local, device)


def end_worker(code: int) -> NoReturn:
    """End a torchrun worker once its work is written: a barrier with the other ranks, then `os._exit`,
    skipping interpreter teardown.

    Why: a gloo rank at the end of a finished job sometimes aborted in native teardown ("terminate
    called without an active exception", a C++ thread destroyed while still joinable). Its export was
    already written, but torchrun counts the abort as a failed rank and Snakemake fails the job. It was
    seen twice in two weeks of test runs, once after `destroy_process_group` had been added.
    Everything a worker writes (export, checkpoints, metrics, summary) is closed before this point;
    the logs are flushed here."""
    if dist.is_initialized() and dist.get_world_size() > 1:
        dist.barrier()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _skip_shared_memory_allreduce_build() -> None:
    """DeepSpeed's CPU backend JIT-compiles a shared-memory all-reduce (C++ with ninja) when the
    process group starts, for `inference_all_reduce` only; training never calls it. On a fresh
    machine the build costs 1-2 CPU minutes and needs a compiler, and it is redone whenever
    DeepSpeed's install path changes (another virtualenv), so gloo runs go without it."""
    import importlib

    # By module path: the attribute `deepspeed.comm.torch` is the torch package itself.
    backend_module = importlib.import_module("deepspeed.comm.torch")
    backend_module.build_shm_op = lambda: None


def seed_everything(seed: int, deterministic: bool) -> None:
    """Seed Python, NumPy and torch; with `deterministic`, ask torch for deterministic kernels."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if deterministic:
        torch.use_deterministic_algorithms(True, warn_only=True)
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")


def rng_state() -> dict:
    """RNG states of this rank (Python, NumPy, torch CPU and CUDA)."""
    state = {"python": random.getstate(), "numpy": np.random.get_state(), "torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state()
    return state


def set_rng_state(state: dict) -> None:
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state(state["cuda"])


def all_ranks(obj):
    """`obj` of every rank, as a list indexed by rank."""
    if not dist.is_initialized() or dist.get_world_size() == 1:
        return [obj]
    gathered = [None] * dist.get_world_size()
    dist.all_gather_object(gathered, obj)
    return gathered


def from_main(compute):
    """`compute()` run on rank 0 only, its result sent to every rank (shared-filesystem reads done once)."""
    if not dist.is_initialized() or dist.get_world_size() == 1:
        return compute()
    box = [compute() if dist.get_rank() == 0 else None]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def sum_over_ranks(value: float) -> float:
    """The sum of `value` over all ranks (float64; exact for integers below 2**53)."""
    return sums_over_ranks([value])[0]


def sums_over_ranks(values: list[float]) -> list[float]:
    """The sums of several values over all ranks, in one all-reduce (float64; exact for integers below 2**53)."""
    if not dist.is_initialized() or dist.get_world_size() == 1:
        return list(values)
    tensor = torch.tensor(values, dtype=torch.float64)
    if dist.get_backend() == "nccl":
        tensor = tensor.cuda()
    dist.all_reduce(tensor)
    return tensor.tolist()


def mean_over_ranks(value: float) -> float:
    if not dist.is_initialized() or dist.get_world_size() == 1:
        return value
    return sum_over_ranks(value) / dist.get_world_size()
