"""Checkpoint at the next step when the job is told to stop (SIGTERM), instead of dying mid-step.

SLURM sends SIGTERM to every process of a job at its time limit, on `scancel` and on preemption, and
SIGKILL after a grace period (KillWait, 30 s by default; GraceTime for preemption); torchrun forwards
a SIGTERM it gets to its workers and kills them after its own `--shutdown_timeout` (30 s by
default). Dying at once would lose every step since the last periodic checkpoint. A worker instead
remembers the signal; at the start of the next step the ranks agree on it (in the all-reduce each step
makes anyway), write a checkpoint of the steps done, and exit, so a rerun resumes from there. A
checkpoint that cannot be written within the grace period is cut off harmlessly: `latest` is written
last (xuanyuan.train.checkpoint), so the rerun resumes from the previous one.
"""

from __future__ import annotations

import signal
import threading

STOP_SIGNALS = (signal.SIGTERM,)


class StopRequested(Exception):
    """A stop signal arrived; the trainer wrote a checkpoint of the steps done (if any were new)."""

    def __init__(self, signal_name: str, step: int, tag: str | None):
        self.signal_name, self.step, self.tag = signal_name, step, tag
        written = f"checkpoint {tag} written" if tag else "no new step to checkpoint"
        super().__init__(f"stopped by {signal_name} before step {step + 1}: {written}; a rerun resumes from it")

    @property
    def exit_code(self) -> int:
        return 128 + signal.Signals[self.signal_name].value  # as if the signal had ended the process


class StopSignal:
    """Remembers the first STOP_SIGNALS signal instead of dying of it (a second one is ignored too:
    under torchrun each worker gets SIGTERM from SLURM and again from torchrun)."""

    def __init__(self) -> None:
        self.received: str | None = None
        self._previous: dict[signal.Signals, object] = {}

    def install(self) -> "StopSignal":
        # Python handles signals in the main thread only; elsewhere (a notebook's worker thread) the
        # process keeps the default of dying of the signal.
        if threading.current_thread() is threading.main_thread():
            for sig in STOP_SIGNALS:
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum: int, frame) -> None:
        if self.received is None:
            self.received = signal.Signals(signum).name

    def restore(self) -> None:
        for sig, previous in self._previous.items():
            signal.signal(sig, previous)
        self._previous = {}
