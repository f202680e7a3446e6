"""A worker's UserError, handed to the launcher that started it.

A torchrun worker that stops on a user's mistake (a diverged loss, a global batch the ranks cannot
split) exits non-zero like any crash, and torchrun reports only the exit status. Each rank writes its
error message beside the checkpoints, which every node of a job shares, so the launcher can stop with
the message itself rather than "see the workers' log".
"""

from __future__ import annotations

import os
from pathlib import Path

PREFIX = "user_error.rank"


def record(checkpoint_dir: str | Path, error: BaseException, rank: int | None = None) -> None:
    """Write `error`'s message for this rank (RANK from torchrun unless given)."""
    rank = int(os.environ.get("RANK", "0")) if rank is None else rank
    directory = Path(checkpoint_dir)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{PREFIX}{rank}").write_text(str(error), encoding="utf-8")


def clear(checkpoint_dir: str | Path) -> None:
    """Remove the messages of an earlier launch (before starting the workers)."""
    for path in Path(checkpoint_dir).glob(f"{PREFIX}*"):
        path.unlink(missing_ok=True)


def first_recorded(checkpoint_dir: str | Path) -> str | None:
    """The message of the lowest rank that wrote one, or None."""
    recorded = [(int(p.name.removeprefix(PREFIX)), p) for p in Path(checkpoint_dir).glob(f"{PREFIX}*")
                if p.name.removeprefix(PREFIX).isdigit()]
    return min(recorded)[1].read_text(encoding="utf-8") if recorded else None
