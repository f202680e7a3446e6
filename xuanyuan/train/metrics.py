"""Training metrics: a JSONL file, TensorBoard and a console progress bar, written by rank 0."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from tqdm import tqdm


class MetricsLog:
    """Appends one JSON line per logged step; on resume, drops lines past the resumed step first."""

    def __init__(self, path: str | Path, *, tensorboard_dir: str | Path | None, total_steps: int,
                 start_step: int, enabled: bool, desc: str):
        self.enabled = enabled
        self.path = Path(path)
        self.writer = None
        self.bar = None
        if not enabled:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._truncate_after(start_step)
        if tensorboard_dir is not None:
            from torch.utils.tensorboard import SummaryWriter

            # purge_step hides events a killed run wrote past the checkpoint we resume from.
            self.writer = SummaryWriter(str(tensorboard_dir), purge_step=start_step + 1 if start_step else None)
        self.bar = tqdm(total=total_steps, initial=start_step, desc=desc, file=sys.stderr, dynamic_ncols=True,
                        mininterval=1.0)

    def _truncate_after(self, step: int) -> None:
        # Lines of steps after the checkpoint were written by the run that was killed; the resumed run rewrites them.
        if not self.path.exists():
            return
        lines = self.path.read_text(encoding="utf-8").splitlines()
        kept = [line for line in lines if line.strip() and json.loads(line).get("step", 0) <= step]
        self.path.write_text("".join(line + "\n" for line in kept), encoding="utf-8")

    def log(self, record: dict[str, Any]) -> None:
        if not self.enabled:
            return
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
        if self.writer is not None:
            for key, value in record.items():
                if key != "step" and isinstance(value, (int, float)):
                    self.writer.add_scalar(f"train/{key}", value, record["step"])
            self.writer.flush()
        if self.bar is not None:
            self.bar.set_postfix(loss=f"{record['loss']:.4f}", tok_s=f"{record['tokens_per_s']:.0f}", refresh=False)

    def mark(self, tag: str, step: int, value: float) -> None:
        """A point on TensorBoard outside the per-log records (a spike: its first step and value)."""
        if self.writer is not None:
            self.writer.add_scalar(tag, value, step)
            self.writer.flush()

    def advance(self, steps: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(steps)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        if self.bar is not None:
            self.bar.close()


def read_metrics(path: str | Path) -> list[dict[str, Any]]:
    """The records of a metrics file, in order."""
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
