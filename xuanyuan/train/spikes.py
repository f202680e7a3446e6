"""Warn of loss and gradient-norm spikes, and keep the checkpoint from before each one.

The divergence guard stops a run whose loss turns NaN or infinite. At scale most spikes are finite:
the loss jumps, and either comes back down within some steps or the run diverges later. The fix
large runs use is to rewind to a checkpoint from before the spike and go on another way
(`restarts`: PaLM skipped the batches around it, OPT lowered the lr). By the time someone reads the
curve, `keep_checkpoints` has usually pruned that checkpoint. So the trainer watches each step's
loss (the mean over ranks of its token mean) and gradient norm (the engine's global norm, before
clipping) when it reads them anyway (at a log and before a checkpoint), warns with the restart
entry to add, keeps the newest checkpoint from before the spike past `keep_checkpoints`, and lists
the spikes in the stage's summary and report.

A value is a spike when it stands out of the `window` steps before it:

    value > median + threshold * 1.4826 * MAD    and    value > median * (1 + min_rise)

The median and the median absolute deviation (MAD) are robust: an earlier spike in the window moves
them little, where a mean and a standard deviation would both grow with it and hide the next one.
1.4826 * MAD estimates the standard deviation of normal noise, so `threshold` reads as a z-score.
`min_rise` keeps a window with almost no noise from flagging a rise too small to matter. Only rises
count: a loss falls faster than its window in warmup, and a falling gradient norm is no alarm.

A spike's values stay out of the window, so the steps after it are measured against the run before
it: the consecutive steps that stay above the line are one spike (one warning, one kept checkpoint),
which ends at the first step back under it, or lasts to the end of the stage. With `stop_after`, a
loss spike that lasts that many steps stops the run (SpikeDidNotSettle): a loss that stays up is a
divergence in slow motion, and every further step costs cluster time. Gradient-norm spikes only warn:
the norm can rise for long stretches while the loss is fine (late in a decaying schedule, for one).

The watch's history and the spikes so far travel in each checkpoint, so a resumed run warns of the
same steps as one that was never stopped, and a rewound one forgets the spikes it rewinds past.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
from collections import deque
from dataclasses import dataclass
from typing import Any, Iterable

from xuanyuan.errors import UserError
from xuanyuan.train.checkpoint import TAG
from xuanyuan.train.divergence import stage_section

MAD_TO_STD = 1.4826
"""1 / the 75th percentile of the standard normal: MAD x this estimates the standard deviation of normal noise."""

QUANTITIES = ("loss", "grad_norm")


@dataclass(frozen=True)
class Spike:
    """Consecutive steps whose loss or gradient norm stood out of the steps before the first of them."""

    step: int
    """the first step"""
    quantity: str
    """loss | grad_norm"""
    value: float
    """the first step's"""
    median: float
    """of the `window` steps before the first step"""
    z: float
    """the first step's (value - median) / (1.4826 x MAD); inf when the window had no spread"""
    checkpoint: str | None
    """the newest checkpoint from before it (kept past keep_checkpoints when the settings say so); None if none"""
    last_step: int
    """the last step still above the line (the stage's last step when it never came back under it)"""
    peak: float

    @property
    def rise(self) -> float:
        return self.value / self.median if self.median > 0 else math.inf


def robust_z(value: float, window: Iterable[float]) -> tuple[float, float]:
    """(median of `window`, how many robust standard deviations `value` lies above it)."""
    values = list(window)
    median = statistics.median(values)
    spread = MAD_TO_STD * statistics.median(abs(v - median) for v in values)
    if spread == 0:
        return median, math.inf if value > median else 0.0
    return median, (value - median) / spread


class SpikeWatch:
    """The last `window` values of each quantity, and the spikes found so far in this stage."""

    def __init__(self, settings, state: dict[str, Any] | None = None):
        """`settings`: SpikeSettings; `state`: what `state()` returned, from the checkpoint a run resumes from."""
        self.settings = settings
        state = state or {}
        self.history = {name: deque(state.get("history", {}).get(name, ()), maxlen=settings.window)
                        for name in QUANTITIES}
        self.spikes = [Spike(**spike) for spike in state.get("spikes", ())]
        self.checked = int(state.get("checked", 0))
        """steps whose loss was checked (after a full window)"""

    def state(self) -> dict[str, Any]:
        """What a checkpoint keeps of the watch, and what the stage's summary reports (plain JSON)."""
        return {"history": {name: list(values) for name, values in self.history.items()},
                "spikes": [dataclasses.asdict(spike) for spike in self.spikes], "checked": self.checked}

    def observe(self, step: int, values: dict[str, float | None], latest: str | None) -> list[Spike]:
        """Check step `step`'s values against the window before it; returns the spikes that start at it
        (a step that goes on the previous step's spike extends that one). `latest`: the newest
        checkpoint, all of whose steps come before `step`."""
        found = []
        for name in QUANTITIES:
            value = values.get(name)
            if value is None or not math.isfinite(value):
                continue  # a non-finite value is the divergence guard's; it stays out of the window
            history = self.history[name]
            if self.settings.enabled and len(history) == history.maxlen:
                self.checked += name == "loss"
                median, z = robust_z(value, history)
                if z > self.settings.threshold and value > median * (1 + self.settings.min_rise):
                    ongoing = self.ongoing(name, step)
                    if ongoing is None:
                        found.append(Spike(step, name, value, median, z, latest, step, value))
                    else:
                        self.spikes[ongoing] = dataclasses.replace(self.spikes[ongoing], last_step=step,
                                                                   peak=max(self.spikes[ongoing].peak, value))
                    continue  # kept out of the window: what follows is measured against the run before it
            history.append(value)
        self.spikes.extend(found)
        return found

    def ongoing(self, quantity: str, step: int) -> int | None:
        """The index of the spike of `quantity` that the step before `step` belonged to, if any."""
        for index in range(len(self.spikes) - 1, -1, -1):
            spike = self.spikes[index]
            if spike.quantity == quantity:
                return index if spike.last_step == step - 1 else None
        return None

    def kept_checkpoints(self) -> set[str]:
        """The checkpoints to keep past keep_checkpoints: the one from before each spike."""
        if not self.settings.keep_checkpoint:
            return set()
        return {spike.checkpoint for spike in self.spikes if spike.checkpoint is not None}


def unwatched(settings, steps: int, stage: str) -> str | None:
    """Why the watch will check no step of a stage of `steps` steps (its window is as long), if it will not."""
    if not settings.enabled or steps > settings.window:
        return None
    return (f"{stage} has {steps} steps and pretrain.spikes.window is {settings.window}: no step of it is checked "
            f"for spikes (the first `window` steps are not); set the window below {steps} to watch it")


class SpikeDidNotSettle(UserError):
    """A loss spike lasted `pretrain.spikes.stop_after` steps; the run stopped at the check that saw it."""


def unsettled(spikes: list[Spike], step: int, stop_after: int | None) -> Spike | None:
    """The loss spike still going at `step` (the last step checked) that has lasted `stop_after` steps, if any."""
    if stop_after is None:
        return None
    return next((spike for spike in spikes if spike.quantity == "loss" and spike.last_step == step
                 and step - spike.step + 1 >= stop_after), None)


def restart_hint(spike: Spike, section: str) -> str:
    """The restarts entry that goes on from the checkpoint before `spike`, past its step."""
    named = TAG.match(spike.checkpoint or "")
    if named is None:
        return (f"no checkpoint of this stage comes before it, so going on another way means training the stage "
                f"again from step 0 (lower {section}.lr or lengthen its warmup_steps)")
    start = int(named.group(1))
    return (f"to rewind, add to {section}.restarts {{from_step: {start}, skip_steps: {spike.step - start} or more "
            f"(through the spike's batch; PaLM skipped 200-500), lr_scale: <e.g. 0.5, or 1.0>}}")


def describe(spike: Spike, window: int, last_step: int | None = None) -> str:
    """One line on `spike`: what stood out, and by how much; with `last_step` (the stage's last step
    trained), how long it lasted."""
    deviations = "with no spread in the window" if math.isinf(spike.z) else f"{spike.z:.1f} robust deviations above it"
    line = (f"{'loss' if spike.quantity == 'loss' else 'gradient norm'} {spike.value:.4g} at step {spike.step}: "
            f"x{spike.rise:.2f} the median {spike.median:.4g} of the {window} steps before it, {deviations}")
    if last_step is None:
        return line
    if spike.last_step == spike.step and spike.last_step < last_step:
        return line + "; back under the line at the next step"
    lasting = (f"to the end of the stage (step {last_step})" if spike.last_step >= last_step
               else f"to step {spike.last_step}")
    return line + f"; above the line {lasting}, peak {spike.peak:.4g}"


def spike_message(stage: str, section: str, spike: Spike, window: int, kept: bool) -> str:
    """The warning for a new spike."""
    keeping = (f" {spike.checkpoint} is kept past keep_checkpoints." if kept and spike.checkpoint is not None else "")
    watch = "the loss does not come back down" if spike.quantity == "loss" else "the loss rises after it"
    return (f"{stage}: spike: {describe(spike, window)}.{keeping} Training goes on; if {watch}, "
            f"{restart_hint(spike, section)}")


def summary_lines(stage: str, summary: dict[str, Any]) -> list[str]:
    """A finished stage's spikes from its summary (xuanyuan_train.json): what, how long, and the restart entry."""
    settings = summary.get("settings", {}).get("pretrain", {}).get("spikes") or {}
    return [f"{describe(spike, settings['window'], summary['steps'])}; {restart_hint(spike, stage_section(stage))}"
            for spike in (Spike(**found) for found in (summary.get("spikes") or {}).get("found", ()))]


def stop_message(stage: str, section: str, spike: Spike, window: int, latest: str | None) -> str:
    """Why a run stopped on a loss spike that stayed up, and how to go on."""
    steps = spike.last_step - spike.step + 1
    return (f"training {stage} stopped: the loss has stayed above the line for {steps} steps "
            f"(pretrain.spikes.stop_after): {describe(spike, window)}, peak {spike.peak:.4g} by step "
            f"{spike.last_step}. `latest` names {latest}. Rerunning as it is would go on inside the spike; "
            f"{restart_hint(spike, section)}; or raise pretrain.spikes.stop_after (null only warns).")
