"""Loss and gradient-norm spikes (pretrain.spikes): found against a robust window, one per run of
consecutive steps, warned of with the restart entry, the checkpoint before them kept, carried through
a resume, listed in the report."""

import json
import logging
import math
from pathlib import Path

import pytest

from tests.train.conftest import make_job
from xuanyuan.train import checkpoint
from xuanyuan.train.launch import run_in_process
from xuanyuan.train.report import spike_spans, write_pretrain_report
from xuanyuan.train.settings import SpikeSettings, train_settings
from xuanyuan.train.spikes import (
    Spike, SpikeDidNotSettle, SpikeWatch, describe, restart_hint, robust_z, unsettled, unwatched,
)

WINDOW = 10
SETTINGS = SpikeSettings(window=WINDOW, threshold=6.0, min_rise=0.1)


def noisy(steps: int, level: float = 2.0) -> list[float]:
    """A flat loss with a small deterministic wobble (spread about 0.01)."""
    return [level + 0.01 * ((i * 7) % 5 - 2) for i in range(steps)]


def watch(values, settings=SETTINGS, first_step=1, state=None, latest=None):
    spikes = SpikeWatch(settings, state)
    for step, value in enumerate(values, start=first_step):
        spikes.observe(step, {"loss": value}, latest)
    return spikes


def test_robust_z_measures_in_standard_deviations_of_the_window():
    median, z = robust_z(5.0, [1.0, 2.0, 3.0, 4.0, 5.0])
    assert median == 3.0 and z == pytest.approx(2 / 1.4826)
    assert robust_z(2.1, [2.0] * 5) == (2.0, math.inf) and robust_z(1.9, [2.0] * 5) == (2.0, 0.0)


def test_a_one_step_spike_is_found_at_its_step_and_ends_at_the_next():
    values = noisy(30)
    values[20] = 3.0  # step 21
    spikes = watch(values, latest="step00000020")
    assert [(s.step, s.last_step, s.quantity, s.checkpoint) for s in spikes.spikes] == [
        (21, 21, "loss", "step00000020")]
    spike = spikes.spikes[0]
    assert spike.median == pytest.approx(2.0, abs=0.011) and spike.z > 6 and spike.rise == pytest.approx(1.5, abs=0.01)
    assert describe(spike, WINDOW, 30).endswith("back under the line at the next step")
    assert spikes.checked == 30 - WINDOW


def test_consecutive_steps_above_the_line_are_one_spike_measured_against_the_run_before_it():
    values = noisy(40)
    values[20:25] = [3.0, 3.4, 3.2, 3.1, 3.0]  # steps 21-25
    spikes = watch(values)
    assert [(s.step, s.last_step, s.value, s.peak) for s in spikes.spikes] == [(21, 25, 3.0, 3.4)]
    assert "above the line to step 25, peak 3.4" in describe(spikes.spikes[0], WINDOW, 40)
    # One that never comes back down lasts to the end of the stage.
    lasting = watch(noisy(20) + [3.0] * 10)
    assert [(s.step, s.last_step) for s in lasting.spikes] == [(21, 30)]
    assert "to the end of the stage (step 30)" in describe(lasting.spikes[0], WINDOW, 30)
    # A second rise after a step back under the line is a second spike.
    values[27] = 3.0
    assert [(s.step, s.last_step) for s in watch(values).spikes] == [(21, 25), (28, 28)]


def test_small_rises_falling_losses_and_non_finite_values_are_no_spike():
    assert not watch([2.0] * 20 + [2.1]).spikes  # no spread, but under min_rise
    flat = watch([2.0] * 20 + [2.5]).spikes
    assert len(flat) == 1 and math.isinf(flat[0].z) and "with no spread in the window" in describe(flat[0], WINDOW)
    assert not watch([10.0 / (1 + 0.3 * i) for i in range(40)]).spikes  # warmup: the loss falls faster than its window
    spikes = watch(noisy(15) + [math.nan, math.inf] + noisy(10))
    assert not spikes.spikes and len(spikes.history["loss"]) == WINDOW
    assert all(map(math.isfinite, spikes.history["loss"]))
    assert not watch(noisy(20) + [2.01 + 0.2], SpikeSettings(window=WINDOW, threshold=30.0)).spikes
    off = watch(noisy(20) + [5.0], SpikeSettings(window=WINDOW, enabled=False))
    assert not off.spikes and off.checked == 0


def test_the_watch_state_carries_through_json_to_the_same_spikes():
    values = noisy(40)
    values[14:18] = [3.0, 3.3, 3.1, 3.2]  # steps 15-18: a resume at step 16 falls inside it
    whole = watch(values)
    first = watch(values[:16])
    state = json.loads(json.dumps(first.state()))
    resumed = watch(values[16:], first_step=17, state=state)
    assert resumed.spikes == whole.spikes and resumed.checked == whole.checked
    assert [(s.step, s.last_step) for s in whole.spikes] == [(15, 18)]
    # A smaller window after the resume keeps the newest values.
    assert list(watch([], SpikeSettings(window=3), state=state).history["loss"]) == list(first.history["loss"])[-3:]


def test_the_checkpoint_before_each_spike_is_kept_unless_switched_off():
    spikes = [Spike(12, "loss", 3.0, 2.0, 9.0, "step00000008", 14, 3.5),
              Spike(30, "grad_norm", 9.0, 1.0, 20.0, None, 30, 9.0)]
    watch_on = SpikeWatch(SETTINGS, {"spikes": [s.__dict__ for s in spikes]})
    assert watch_on.kept_checkpoints() == {"step00000008"}
    off = SpikeWatch(SpikeSettings(keep_checkpoint=False), {"spikes": [s.__dict__ for s in spikes]})
    assert off.kept_checkpoints() == set()


def test_the_restart_hint_goes_on_from_the_checkpoint_before_the_spike_past_its_step():
    hint = restart_hint(Spike(12, "loss", 3.0, 2.0, 9.0, "step00000008", 12, 3.0), "pretrain.stage2")
    assert "add to pretrain.stage2.restarts {from_step: 8, skip_steps: 4 or more" in hint
    assert "training the stage again from step 0" in restart_hint(Spike(3, "loss", 3.0, 2.0, 9.0, None, 3, 3.0),
                                                                  "sft.stage1.train")


def test_a_stage_no_longer_than_the_window_is_named_as_unwatched():
    assert unwatched(SpikeSettings(window=100), 101, "stage1") is None
    reason = unwatched(SpikeSettings(window=100), 100, "stage1")
    assert "stage1 has 100 steps and pretrain.spikes.window is 100" in reason
    assert unwatched(SpikeSettings(window=100, enabled=False), 30, "sft1") is None


def test_spike_settings_come_from_the_config():
    assert train_settings({}).spikes == SpikeSettings()
    assert train_settings({"spikes": {"window": 20}}).spikes == SpikeSettings(window=20)
    with pytest.raises(ValueError, match="unknown config key"):
        train_settings({"spikes": {"windw": 20}})


# ---- a real run ------------------------------------------------------------------------------------
STEPS, EVERY = 16, 4
# One step at 1000x the lr (the 11th; the lr goes back at step 11): the loss and the gradient norm jump
# from step 12 on and stay up to the end of this short stage.
BLOW_UP = [{"from_step": 10, "lr_scale": 1000.0}, {"from_step": 11, "lr_scale": 1 / 1000}]


def _job(tiny, root, keep):
    job = make_job(tiny, root, log_every=2, checkpoint_every=EVERY, keep_checkpoints=keep)
    job.train["base_standin"] = {**job.train["base_standin"], "steps": STEPS, "warmup_steps": 2, "restarts": BLOW_UP}
    job.train["spikes"] = {**job.train["spikes"], "window": 5}
    return job


@pytest.fixture(scope="module")
def blown_up(tiny, tmp_path_factory):
    job = _job(tiny, tmp_path_factory.mktemp("spike"), keep=1)
    handler = _Records()
    logging.getLogger("xuanyuan.train.trainer").addHandler(handler)
    try:
        summary = run_in_process(job)
    finally:
        logging.getLogger("xuanyuan.train.trainer").removeHandler(handler)
    return job, summary, handler.messages


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_a_blown_up_step_is_one_loss_spike_with_one_warning_and_its_checkpoint_kept(blown_up):
    job, summary, warnings = blown_up
    found = [Spike(**spike) for spike in summary["spikes"]["found"]]
    loss = [spike for spike in found if spike.quantity == "loss"]
    assert [(s.step, s.last_step, s.checkpoint) for s in loss] == [(12, STEPS, checkpoint.tag_for(8))], found
    assert loss[0].rise > 1.3 and loss[0].z > 6
    assert summary["spikes"]["checked"] == STEPS - 5
    # One warning per spike, naming the entry that rewinds past it.
    loss_warnings = [m for m in warnings if "spike: loss" in m]
    assert len(loss_warnings) == 1 and len(warnings) == len(found), warnings
    assert ("add to pretrain.base_standin.restarts {from_step: 8, skip_steps: 4 or more" in loss_warnings[0]
            and f"{checkpoint.tag_for(8)} is kept past keep_checkpoints" in loss_warnings[0])
    # TensorBoard marks each spike's first step beside the logged curves.
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(job.tensorboard_dir)
    events.Reload()
    assert [(e.step, round(e.value, 3)) for e in events.Scalars("spikes/loss")] == [(12, round(loss[0].value, 3))]
    assert "train/loss" in events.Tags()["scalars"]
    # keep_checkpoints is 1: the last checkpoint, and the one before each spike.
    kept = {spike.checkpoint for spike in found}
    assert set(checkpoint.checkpoint_steps(job.checkpoint_dir)) == {checkpoint.tag_for(STEPS)} | kept


def test_a_run_resumed_inside_the_spike_finds_the_same_spikes(blown_up, tiny, tmp_path):
    _, reference, _ = blown_up
    job = _job(tiny, tmp_path, keep=STEPS)
    assert run_in_process(job)["spikes"] == reference["spikes"]
    assert checkpoint.rewind(job.checkpoint_dir, 12) == checkpoint.tag_for(12)  # inside the spike
    resumed = run_in_process(job)
    assert resumed["resumed_from"] == 12 and resumed["spikes"] == reference["spikes"]


def test_the_report_lists_the_spikes_with_how_long_they_lasted(blown_up, tmp_path):
    job, _, _ = blown_up
    report = tmp_path / "pretrain.md"
    write_pretrain_report([("base_standin", job.metrics_path, str(Path(job.out_dir) / checkpoint.RECORD))],
                          md_path=str(report), csv_path=str(tmp_path / "pretrain.csv"),
                          png_path=str(tmp_path / "pretrain.png"), chash="c", version="v")
    text = report.read_text()
    assert "## Spikes" in text and f"- base_standin: {STEPS - 5} of {STEPS} steps checked (window 5" in text
    line = next(line for line in text.splitlines() if "  - loss" in line)
    assert "at step 12" in line and f"to the end of the stage (step {STEPS})" in line and "from_step: 8" in line
    # The loss curve shades the spike's steps.
    summary = json.loads((Path(job.out_dir) / checkpoint.RECORD).read_text())
    assert (12, STEPS, "loss") in spike_spans([("base_standin", summary)])["base_standin"]


def test_a_loss_spike_that_lasts_stop_after_steps_stops_the_run_with_the_restart_entry(tiny, tmp_path):
    job = _job(tiny, tmp_path, keep=1)
    job.train["spikes"]["stop_after"] = 3
    # Checked every 2 steps: the spike from step 12 has lasted 1 step at the check of step 12 and 3 at step 14.
    with pytest.raises(SpikeDidNotSettle) as stopped:
        run_in_process(job)
    message = str(stopped.value)
    assert "stayed above the line for 3 steps" in message and "at step 12" in message
    assert f"`latest` names {checkpoint.tag_for(12)}" in message and "{from_step: 8, skip_steps: 4 or more" in message
    assert set(checkpoint.checkpoint_steps(job.checkpoint_dir)) == {checkpoint.tag_for(8), checkpoint.tag_for(12)}
    assert not Path(job.out_dir).exists()  # nothing exported
    # Gradient-norm spikes only warn, and a spike shorter than stop_after does not stop.
    assert unsettled([Spike(12, "grad_norm", 9.0, 1.0, 9.0, None, 20, 9.0)], 20, 3) is None
    assert unsettled([Spike(12, "loss", 9.0, 1.0, 9.0, None, 13, 9.0)], 13, 3) is None
    assert unsettled([Spike(12, "loss", 9.0, 1.0, 9.0, None, 13, 9.0)], 14, 2) is None  # it ended at step 13
