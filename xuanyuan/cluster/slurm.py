"""The SLURM allocation a job runs in, and the srun command that starts one task per node in it.

The executor plugin runs a multi-node rule (`mpi` resource) once, on the allocation's first node,
with most SLURM_* variables removed (SLURM_JOB_NODELIST among them); SLURM_JOB_ID survives, so the
node list and addresses are asked of the controller.
"""

from __future__ import annotations

import os
import socket
import subprocess
from dataclasses import dataclass
from typing import Mapping, Sequence


@dataclass(frozen=True)
class Allocation:
    job_id: str
    nodes: tuple[str, ...]
    master_addr: str  # address of nodes[0], where rank 0 and the rendezvous store run


def _scontrol(*args: str) -> str:
    try:
        result = subprocess.run(["scontrol", *args], capture_output=True, text=True, timeout=60)
    except FileNotFoundError as error:
        raise RuntimeError("scontrol is not on PATH: a multi-node job needs the SLURM client tools") from error
    if result.returncode != 0:
        raise RuntimeError(f"scontrol {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def expand_nodelist(nodelist: str) -> tuple[str, ...]:
    """`node[1-3],gpu7` -> ('node1', 'node2', 'node3', 'gpu7'), in SLURM's order."""
    return tuple(_scontrol("show", "hostnames", nodelist).split())


def record_field(record: str, key: str) -> str | None:
    """A `Key=value` field of one `scontrol show ... -o` line."""
    for token in record.split():
        name, _, value = token.partition("=")
        if name == key:
            return value
    return None


def node_address(node: str) -> str:
    """The address other nodes reach `node` at (its NodeAddr; the name when SLURM has none)."""
    return record_field(_scontrol("show", "node", node, "-o"), "NodeAddr") or node


def current_allocation(env: Mapping[str, str] = os.environ) -> Allocation | None:
    """The allocation this process runs in, or None outside SLURM."""
    job_id = env.get("SLURM_JOB_ID")
    if not job_id:
        return None
    nodelist = env.get("SLURM_JOB_NODELIST") or record_field(_scontrol("show", "job", job_id, "-o"), "NodeList")
    if not nodelist:
        raise RuntimeError(f"SLURM job {job_id} has no node list (scontrol show job {job_id})")
    nodes = expand_nodelist(nodelist)
    return Allocation(job_id=job_id, nodes=nodes, master_addr=node_address(nodes[0]))


def rendezvous_port(allocation: Allocation, env: Mapping[str, str] = os.environ) -> int:
    """A port for torchrun's store on the master node.

    The batch script runs on the first node, so when this is the master a free local port is
    taken; otherwise one derived from the job id (stable for every node of the job).
    """
    if env.get("SLURMD_NODENAME") == allocation.nodes[0]:
        with socket.socket() as sock:
            sock.bind(("", 0))
            return sock.getsockname()[1]
    return 20000 + int(allocation.job_id) % 20000


def srun_per_node(allocation: Allocation, nnodes: int, threads: int, command: Sequence[str]) -> list[str]:
    """srun that runs `command` once on each of the first `nnodes` nodes of the allocation.

    Geometry is explicit because the job step's SLURM_* variables are gone; --kill-on-bad-exit
    stops the other nodes when one fails, so a retry starts from a clean slate.
    """
    return ["srun", f"--jobid={allocation.job_id}", f"--nodes={nnodes}", f"--ntasks={nnodes}",
            "--ntasks-per-node=1", f"--cpus-per-task={threads}", f"--nodelist={','.join(allocation.nodes[:nnodes])}",
            "--kill-on-bad-exit=1", "--label", *command]
