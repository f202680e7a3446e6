"""One rank of tests/train/test_bf16_accumulation.py's two-process check (started by torchrun, 2 gloo processes).

`python bf16_accumulation_worker.py OUT_DIR`: trains the branchy model of that test under bf16 ZeRO-1
(DeepSpeed's BF16 optimizer, whose gradients are all-reduced at each boundary and whose step is
partitioned over the ranks) twice: with the copy-first accumulation and with DeepSpeed's own. The
ranks take different branches, so in some steps one rank has a gradient for the second layer and
the other has none: its buffer must enter the all-reduce as zero. Writes `<out>/rank<r>.json`: whether
the two runs' weights are equal bit for bit, and a digest of the weights to compare across ranks.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import torch
import torch.distributed as dist

from tests.train.test_bf16_accumulation import train_branchy
from xuanyuan.train.distributed import init_distributed


def digest(weights: list[torch.Tensor]) -> str:
    return hashlib.sha256(b"".join(w.numpy().tobytes() for w in weights)).hexdigest()


def main(out: Path) -> None:
    d = init_distributed()
    ours = train_branchy(ours=True, reduce=True, rank=d.rank)
    theirs = train_branchy(ours=False, reduce=True, rank=d.rank)
    record = {"equal": all(torch.equal(a, b) for a, b in zip(ours, theirs)), "digest": digest(ours),
              "world_size": d.world_size}
    (out / f"rank{d.rank}.json").write_text(json.dumps(record))
    dist.barrier()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
