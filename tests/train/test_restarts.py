"""Rewinding a stage (pretrain.<stage>.restarts): a restart skips steps' samples and scales the lr from
its step on; adding one to a finished stage rewinds it to a checkpoint instead of training it again, and
gives the same losses as a run that had the restart from the start."""

import dataclasses
import json
from pathlib import Path

import pytest

from tests.train.conftest import make_job
from xuanyuan.train import checkpoint
from xuanyuan.train.launch import run_in_process
from xuanyuan.train.metrics import read_metrics
from xuanyuan.train.report import write_pretrain_report
from xuanyuan.train.schedule import lr_factor
from xuanyuan.train.settings import Restart, restarts, train_settings
from xuanyuan.train.stages import FINGERPRINT, keep_valid_checkpoints

STEPS, EVERY = 10, 2
RESTART = {"from_step": 4, "skip_steps": 2, "lr_scale": 0.5}


def test_restarts_are_read_in_order_and_scale_the_lr_from_their_step():
    settings = train_settings({"stage2": {"steps": 20, "restarts": [
        {"from_step": 4, "skip_steps": 2, "lr_scale": 0.5}, {"from_step": 10, "lr_scale": 0.5}]}})
    stage = settings.stage2
    assert stage.restarts == (Restart(4, 2, 0.5), Restart(10, 0, 0.5))
    assert [stage.lr_scale(k) for k in (0, 3, 4, 9, 10, 19)] == [1, 1, 0.5, 0.5, 0.25, 0.25]
    assert stage.restart_at(10) == Restart(10, 0, 0.5) and stage.restart_at(5) is None
    assert train_settings({}).stage2.restarts == ()


@pytest.mark.parametrize("entries, message", [
    ([{"from_step": 20}], r"from_step must be a step of the stage \(0 to 19\)"),
    ([{"from_step": 3, "lr_scale": 0}], "lr_scale > 0"),
    ([{"from_step": 15, "skip_steps": 6}], "passes the stage's 20 steps"),
    ([{"from_step": 8}, {"from_step": 4}], "list them in order"),
    ([{"from_step": 4, "skip_steps": 5}, {"from_step": 6}], r"previous restart's step and its skipped steps \(4 \+ 5\)"),
    ([{"from_step": 4, "lr": 0.1}], "unknown config key"),
])
def test_a_bad_restart_names_its_entry_and_what_is_wrong(entries, message):
    with pytest.raises(ValueError, match=message):
        restarts("pretrain.stage2", entries, 20)


def test_rewind_keeps_the_checkpoints_up_to_the_step_and_points_latest_at_the_newest(tmp_path):
    for step in (2, 4, 6, 8):
        (tmp_path / checkpoint.tag_for(step)).mkdir()
    (tmp_path / (checkpoint.tag_for(8) + checkpoint.UNIVERSAL_SUFFIX)).mkdir()
    (tmp_path / "latest").write_text(checkpoint.tag_for(8))
    assert checkpoint.rewind(tmp_path, 5) == checkpoint.tag_for(4)
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == [checkpoint.tag_for(2), checkpoint.tag_for(4)]
    assert checkpoint.latest_tag(tmp_path) == checkpoint.tag_for(4)
    assert checkpoint.rewind(tmp_path, 1) is None and checkpoint.latest_tag(tmp_path) == checkpoint.tag_for(4)


def _job(tiny, root, restarts=(), **overrides):
    # Logged every 3 steps: the steps before a gap are logged before it (step 4 here).
    job = make_job(tiny, root, log_every=3, checkpoint_every=EVERY, keep_checkpoints=STEPS, **overrides)
    job.train["base_standin"] = {**job.train["base_standin"], "steps": STEPS, "warmup_steps": 2,
                                 "restarts": [dict(r) for r in restarts]}
    return job


def _train(job):
    keep_valid_checkpoints(job)  # what stages.launch does before it starts the workers
    return run_in_process(job)


def _curve(job):
    return [(r["step"], r["loss"], r["lr"], r["grad_norm"]) for r in read_metrics(job.metrics_path)]


@pytest.fixture(scope="module")
def restarted_from_the_start(tiny, tmp_path_factory):
    job = _job(tiny, tmp_path_factory.mktemp("restart_from_start"), [RESTART])
    return job, _train(job)


def test_a_restart_skips_its_steps_samples_and_scales_the_lr(restarted_from_the_start, tmp_path):
    job, summary = restarted_from_the_start
    curve = _curve(job)
    assert [step for step, *_ in curve] == [3, 4, 9, 10]  # steps 5 and 6 skipped
    stage = train_settings(job.train).base_standin
    base_lr = stage.lr
    for step, _, lr, _ in curve:
        scale = 0.5 if step > RESTART["from_step"] else 1.0
        assert lr == pytest.approx(base_lr * scale * lr_factor(step - 1, steps=STEPS, warmup=2, kind="cosine",
                                                                min_ratio=stage.min_lr_ratio))
    # The data plan is kept: every step's samples are consumed, the skipped ones too.
    micro_batch = train_settings(job.train).base_standin.micro_batch
    assert summary["samples"] == STEPS * micro_batch * summary["grad_accum"] * summary["world_size"]
    # No checkpoint inside the skipped steps (the one of step 6 would be).
    assert sorted(checkpoint.checkpoint_steps(job.checkpoint_dir).values()) == [2, 4, 8, 10]
    assert list(summary["settings"]["pretrain"]["base_standin"]["restarts"]) == [RESTART]
    # results/pretrain.md says so.
    report = tmp_path / "pretrain.md"
    write_pretrain_report([("base_standin", job.metrics_path, str(Path(job.out_dir) / checkpoint.RECORD))],
                          md_path=str(report), csv_path=str(tmp_path / "pretrain.csv"),
                          png_path=str(tmp_path / "pretrain.png"), chash="c", version="v")
    assert "- base_standin, after step 4: steps 5-6 skipped; lr x0.5 from here on" in report.read_text()
    # The MFU's denominator and where it came from: here a matrix product timed on this CPU.
    import csv

    from xuanyuan.provenance import cpu_name

    row = next(csv.DictReader(open(tmp_path / "pretrain.csv", encoding="utf-8")))
    assert row["peak from"] == summary["peak_source"] and summary["peak_source"].startswith(
        f"measured matmul on CPU ({cpu_name()}, ")
    assert float(row["peak TFLOP/s"]) == round(summary["peak_tflops"], 4) and summary["peak_tflops"] > 0
    for record in read_metrics(job.metrics_path):  # the MFU logged is against this peak
        assert record["mfu"] == pytest.approx(record["tflops"] / summary["peak_tflops"])


def test_adding_a_restart_to_a_finished_stage_rewinds_it_and_equals_the_run_restarted_from_the_start(
        restarted_from_the_start, tiny, tmp_path):
    reference_job, reference = restarted_from_the_start
    job = _job(tiny, tmp_path)
    plain = _train(job)
    assert checkpoint.latest_tag(job.checkpoint_dir) == checkpoint.tag_for(STEPS)
    # The config gains the restart: the checkpoints after step 4 are gone, `latest` is step 4.
    job = dataclasses.replace(job, train={**job.train, "base_standin": {**job.train["base_standin"],
                                                                         "restarts": [RESTART]}})
    keep_valid_checkpoints(job)
    assert checkpoint.latest_tag(job.checkpoint_dir) == checkpoint.tag_for(4)
    assert not any((tmp_path / "ckpt" / checkpoint.tag_for(step)).exists() for step in (6, 8, 10))
    assert json.loads((tmp_path / "ckpt" / FINGERPRINT).read_text())["job"]["settings"]["train"]["base_standin"][
        "restarts"] == [RESTART]
    rewound = run_in_process(job)
    assert rewound["resumed_from"] == 4
    # Exact on CPU (deterministic): the same losses, lrs and gradient norms as the run that had the
    # restart from step 0; the run without it differs after step 4.
    # The run it rewound logged step 4 within its record of step 6 (steps 4-6), which the resume drops.
    assert _curve(job) == [record for record in _curve(reference_job) if record[0] != 4]
    assert rewound["eval_loss"] == reference["eval_loss"] != plain["eval_loss"]
    assert rewound["samples"] == reference["samples"] == plain["samples"]


def test_any_other_change_still_trains_the_stage_from_step_0(tiny, tmp_path):
    job = _job(tiny, tmp_path, [RESTART])
    (tmp_path / "ckpt" / checkpoint.tag_for(4)).mkdir(parents=True)
    keep_valid_checkpoints(job)
    changed = dataclasses.replace(job, train={**job.train, "base_standin": {
        **job.train["base_standin"], "lr": 1e-4, "restarts": [{**RESTART, "lr_scale": 0.25}]}})
    keep_valid_checkpoints(changed)
    assert not (tmp_path / "ckpt" / checkpoint.tag_for(4)).exists()
    # A restart changed after the only checkpoint left: nothing to rewind to, so from step 0 as well.
    (tmp_path / "ckpt" / checkpoint.tag_for(8)).mkdir()
    later = dataclasses.replace(changed, train={**changed.train, "base_standin": {
        **changed.train["base_standin"], "restarts": [{**RESTART, "lr_scale": 0.25}, {"from_step": 6}]}})
    keep_valid_checkpoints(later)
    assert not (tmp_path / "ckpt" / checkpoint.tag_for(8)).exists()
