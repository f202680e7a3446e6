"""`python -m xuanyuan.cluster node JOB.json --nnodes N --master-addr A --master-port P [--threads T] [--gpus G]`

One node's share of a multi-node training job: srun runs this once per node, and it starts that
node's torchrun with the node rank SLURM gave the task (SLURM_NODEID).
"""

from __future__ import annotations

import argparse
import os
import socket
import sys

from xuanyuan.train.launch import run_node


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m xuanyuan.cluster")
    sub = parser.add_subparsers(dest="command", required=True)
    node = sub.add_parser("node", help="start this node's torchrun inside a SLURM allocation")
    node.add_argument("job")
    node.add_argument("--nnodes", type=int, required=True)
    node.add_argument("--master-addr", required=True)
    node.add_argument("--master-port", type=int, required=True)
    node.add_argument("--threads", type=int, default=None)
    node.add_argument("--gpus", type=int, default=None)
    args = parser.parse_args(argv)

    if "SLURM_NODEID" not in os.environ:
        parser.error("SLURM_NODEID is not set: run this through srun (xuanyuan.train.launch does)")
    node_rank = int(os.environ["SLURM_NODEID"])
    where = os.environ.get("SLURMD_NODENAME", socket.gethostname())
    print(f"xuanyuan.cluster: node_rank {node_rank} of {args.nnodes} on {where}, master {args.master_addr}:{args.master_port}",
          flush=True)
    return run_node(args.job, threads=args.threads, gpus=args.gpus, nnodes=args.nnodes, node_rank=node_rank,
                    master_addr=args.master_addr, master_port=args.master_port)


if __name__ == "__main__":
    sys.exit(main())
