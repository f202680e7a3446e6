"""A stage resumes at another number of ranks (xuanyuan.train.reshard): its checkpoint converted to
DeepSpeed's universal form by the launcher, the global batch kept, the losses those of an
uninterrupted run up to the order in which the ranks' gradients are summed."""

import json
import logging
import shutil
from pathlib import Path

import pytest

from tests.train.conftest import make_job
from xuanyuan.train.checkpoint import (
    GlobalBatchUnsplittable, ResumePoint, UNIVERSAL_SUFFIX, WorldSizeChanged, grad_accum_to_resume, latest_tag,
    resume_point, tag_for,
)
from xuanyuan.train.launch import launch, run_in_process
from xuanyuan.train.metrics import read_metrics
from xuanyuan.train.reshard import convert_to_universal, prepare_resume

STEPS, EVERY = 6, 3


def _job(tiny, standin_dir, out, *, zero_stage, precision, processes, grad_accum, stage="stage2"):
    job = make_job(tiny, out, stage=stage, init_model=str(standin_dir), resize=True, zero_stage=zero_stage,
                   precision=precision, processes=processes, checkpoint_every=EVERY, keep_checkpoints=2,
                   resume_across_world_sizes=True)
    job.train[stage] = {**job.train[stage], "steps": STEPS, "micro_batch": 1, "grad_accum": grad_accum}
    return job


def _back_to_first_checkpoint(job) -> None:
    """As if killed after the first checkpoint: the later one and the export are gone."""
    shutil.rmtree(f"{job.checkpoint_dir}/{latest_tag(job.checkpoint_dir)}")
    Path(job.checkpoint_dir, "latest").write_text(tag_for(EVERY))
    shutil.rmtree(job.out_dir)


def _losses(job):
    return [r["loss"] for r in read_metrics(job.metrics_path)]


@pytest.mark.slow
@pytest.mark.parametrize("stage,zero_stage,precision",
                         [("stage2", 3, "bf16"), ("stage1", 3, "bf16"), ("stage2", 1, "bf16"), ("stage2", 2, "fp32")])
def test_two_ranks_checkpoint_resumes_on_one_with_the_global_batch_kept(tiny, standin, tmp_path, stage, zero_stage,
                                                                        precision):
    """Stage 1 freezes all but the embeddings and LM head: under ZeRO-3 the frozen weights are partitioned
    too and must come over from the universal form without optimizer state."""
    two = _job(tiny, standin[0], tmp_path, zero_stage=zero_stage, precision=precision, processes=2, grad_accum=1,
               stage=stage)
    launch(two, threads=2, log_path=tmp_path / "two.log")
    straight, straight_records = _losses(two), read_metrics(two.metrics_path)

    _back_to_first_checkpoint(two)
    one = _job(tiny, standin[0], tmp_path, zero_stage=zero_stage, precision=precision, processes=1, grad_accum=1,
               stage=stage)
    summary = run_in_process(one)

    assert summary["resumed_from"] == EVERY and summary["world_size"] == 1
    assert summary["grad_accum"] == 2  # 1 rank x micro-batch 1 x 2 = the global batch of 2 ranks
    resumed = read_metrics(one.metrics_path)
    assert [r["samples"] for r in resumed] == [r["samples"] for r in straight_records]
    # The weights and moments came over exactly: the first step after the resume computes the same loss.
    assert resumed[EVERY]["loss"] == straight[EVERY]
    # Later steps differ only by the order of the gradients' sum (2 ranks' all-reduce vs 2 accumulated
    # micro-batches); without the optimizer's moments they would be off by 1e-2 and more.
    assert [r["loss"] for r in resumed] == pytest.approx(straight, rel=1e-3)
    # The next checkpoint, at 1 rank, made the universal copy unneeded.
    assert not list((tmp_path / "ckpt").glob(f"*{UNIVERSAL_SUFFIX}*"))
    assert json.loads((tmp_path / "ckpt" / tag_for(STEPS) / "xuanyuan_train.json").read_text())["world_size"] == 1


@pytest.mark.slow
def test_one_rank_checkpoint_resumes_on_two_through_the_launcher(tiny, standin, tmp_path, caplog):
    one = _job(tiny, standin[0], tmp_path, zero_stage=3, precision="bf16", processes=1, grad_accum=2)
    run_in_process(one)
    straight = _losses(one)

    _back_to_first_checkpoint(one)
    two = _job(tiny, standin[0], tmp_path, zero_stage=3, precision="bf16", processes=2, grad_accum=2)
    with caplog.at_level(logging.INFO, logger="xuanyuan.train.reshard"):
        summary = launch(two, threads=2, log_path=tmp_path / "two.log")

    assert summary["resumed_from"] == EVERY and summary["world_size"] == 2 and summary["grad_accum"] == 1
    assert "2 ranks resume the checkpoint of 1 from its universal form, 1 accumulation steps" in caplog.text
    resumed = _losses(two)
    assert resumed[:EVERY + 1] == straight[:EVERY + 1]
    assert resumed == pytest.approx(straight, rel=1e-3)


@pytest.mark.slow
def test_another_world_size_stops_with_the_fix_unless_allowed(tiny, standin, tmp_path):
    """The stand-in's checkpoints are from 1 rank; 2 ranks stop before any worker starts, checkpoint kept."""
    job = make_job(tiny, tmp_path, processes=2)
    shutil.copytree(standin[2].checkpoint_dir, job.checkpoint_dir)
    tag = latest_tag(job.checkpoint_dir)
    with pytest.raises(WorldSizeChanged, match=r"written by 1 ranks and this run has 2.*resume_across_world_sizes: "
                                               r"true.*resources.<group>.nodes x gpus_per_node .* or delete"):
        launch(job, threads=2, log_path=tmp_path / "worker.log")
    assert latest_tag(job.checkpoint_dir) == tag  # kept: it holds the stage's training so far
    assert not list((tmp_path / "ckpt").glob(f"*{UNIVERSAL_SUFFIX}*"))


def test_the_global_batch_decides_the_accumulation_and_an_unsplittable_one_names_the_world_sizes_that_fit():
    point = ResumePoint("ckpt", tag_for(50), 50, 50 * 24, world_size=8, global_batch=24)
    assert grad_accum_to_resume(point, micro_batch=1, world_size=8, grad_accum=3) == 3
    assert grad_accum_to_resume(point, micro_batch=2, world_size=4, grad_accum=3) == 3
    assert grad_accum_to_resume(point, micro_batch=1, world_size=6, grad_accum=3) == 4
    with pytest.raises(GlobalBatchUnsplittable, match=r"global batch of 24 .* 7 ranks of micro_batch 2 .* "
                                                      r"Resume on 1, 2, 3, 4, 6, 12 ranks"):
        grad_accum_to_resume(point, micro_batch=2, world_size=7, grad_accum=3)
    unknown = ResumePoint("ckpt", tag_for(50), 50, 0, world_size=None, global_batch=None)
    assert grad_accum_to_resume(unknown, micro_batch=1, world_size=3, grad_accum=5) == 5


def test_a_record_without_the_global_batch_gives_it_from_the_samples_consumed(tmp_path):
    (tmp_path / tag_for(30)).mkdir()
    (tmp_path / tag_for(30) / "xuanyuan_train.json").write_text(json.dumps({"step": 30, "samples": 480,
                                                                           "world_size": 4}))
    (tmp_path / "latest").write_text(tag_for(30))
    point = resume_point(tmp_path)
    assert (point.step, point.samples, point.world_size, point.global_batch) == (30, 480, 4, 16)
    assert point.other_world_size(2) and not point.other_world_size(4)


def test_a_failed_conversion_leaves_no_universal_form_and_says_the_checkpoint_is_untouched(tmp_path):
    point = ResumePoint(str(tmp_path), tag_for(3), 3, 12, world_size=2, global_batch=4)
    (tmp_path / tag_for(3)).mkdir()

    def failing(cmd):
        assert cmd[cmd.index("--input_folder") + 1] == f"{tmp_path}/{tag_for(3)}"
        (tmp_path / f".{tag_for(3)}{UNIVERSAL_SUFFIX}.partial").mkdir()
        return 1

    with pytest.raises(RuntimeError, match="failed \\(exit 1\\); the checkpoint itself is untouched"):
        convert_to_universal(point, run=failing)
    assert not (tmp_path / point.universal_tag).exists()


def test_nothing_to_prepare_without_a_checkpoint_or_at_the_same_world_size(tiny, tmp_path):
    job = make_job(tiny, tmp_path, processes=2, resume_across_world_sizes=True)
    assert prepare_resume(job, 2, run=lambda cmd: pytest.fail("converted without need")) is None
