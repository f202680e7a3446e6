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
    GlobalBatchUnsplittable, ResumePoint, UNIVERSAL_SUFFIX, WorldSizeChanged, global_batch_to_resume, latest_tag,
    resume_point, tag_for,
)
from xuanyuan.train.data import IGNORE_INDEX, PADDING, micro_steps, rank_batches
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
    # The weights came over exactly: the first step after the resume computes the same loss.
    assert resumed[EVERY]["loss"] == straight[EVERY]
    # Later steps differ only by the order of the gradients' sum (2 ranks' all-reduce vs 2 accumulated
    # micro-batches): at most 1.7e-4 here; loaded without the optimizer's state they are off by 0.6-1.2%.
    assert [r["loss"] for r in resumed] == pytest.approx(straight, rel=5e-4)
    # The next checkpoint, at 1 rank, made the universal copy unneeded.
    assert not list((tmp_path / "ckpt").glob(f"*{UNIVERSAL_SUFFIX}*"))
    assert json.loads((tmp_path / "ckpt" / tag_for(STEPS) / "xuanyuan_train.json").read_text())["world_size"] == 1


@pytest.mark.slow
def test_one_rank_checkpoint_resumes_on_two_through_the_launcher_padding_the_odd_slot(tiny, standin, tmp_path,
                                                                                      caplog):
    """3 samples per step (1 rank x 3 micro-batches) on 2 ranks: 2 micro-steps, of whose 4 slots one is
    padding; the step's loss and gradient are still the token mean over the same 3 samples (training on the
    padding slot's sample instead is off by 0.23%)."""
    one = _job(tiny, standin[0], tmp_path, zero_stage=3, precision="bf16", processes=1, grad_accum=3)
    run_in_process(one)
    straight, straight_records = _losses(one), read_metrics(one.metrics_path)

    _back_to_first_checkpoint(one)
    two = _job(tiny, standin[0], tmp_path, zero_stage=3, precision="bf16", processes=2, grad_accum=3)
    with caplog.at_level(logging.INFO, logger="xuanyuan.train.reshard"):
        summary = launch(two, threads=2, log_path=tmp_path / "two.log")

    assert summary["resumed_from"] == EVERY and summary["world_size"] == 2 and summary["grad_accum"] == 2
    assert ("2 ranks resume the checkpoint of 1 from its universal form, 2 micro-steps of micro-batch 1 per step "
            "keeping the global batch of 3 (1 padding micro-batches per step, 25.0% of the compute)") in caplog.text
    resumed = read_metrics(two.metrics_path)
    assert [r["samples"] for r in resumed] == [r["samples"] for r in straight_records] == [3 * s for s in range(1, 7)]
    assert [r["loss"] for r in resumed] == pytest.approx(straight, rel=5e-4)


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


def test_a_resumed_run_keeps_the_checkpoints_global_batch_and_its_micro_steps_cover_it():
    point = ResumePoint("ckpt", tag_for(50), 50, 50 * 24, world_size=8, global_batch=24)
    assert global_batch_to_resume(point, micro_batch=2, grad_accum=5, world_size=3) == 24
    assert global_batch_to_resume(None, micro_batch=2, grad_accum=5, world_size=3) == 30
    unknown = ResumePoint("ckpt", tag_for(50), 50, 0, world_size=None, global_batch=None)
    assert global_batch_to_resume(unknown, micro_batch=1, grad_accum=5, world_size=3) == 15
    with pytest.raises(GlobalBatchUnsplittable, match=r"global batch of 24 .* micro_batch 5 does not divide it"):
        global_batch_to_resume(point, micro_batch=5, grad_accum=1, world_size=8)
    assert [micro_steps(24, 1, ranks) for ranks in (8, 6, 7, 5, 24, 25)] == [3, 4, 4, 5, 1, 1]
    # The 70B config's 1,024 samples per step on 15 of its 16 nodes: 9 micro-steps, 56 of 1,080 slots padding.
    assert micro_steps(1024, 1, 120) == 9


class _Indexed:
    """Samples that say which global index they are."""

    def __len__(self):
        return 10**6

    def __getitem__(self, index):
        import numpy as np

        return {key: np.full(4, index, dtype=np.int64) for key in ("input_ids", "labels", "position_ids")}


def _first_steps(world_size, micro_batch, global_batch, start=0, steps=2):
    per_step = micro_steps(global_batch, micro_batch, world_size)
    out = []
    for rank in range(world_size):
        batches = rank_batches(_Indexed(), micro_batch=micro_batch, world_size=world_size, rank=rank,
                               start_sample=start, global_batch=global_batch)
        out.append([next(batches) for _ in range(per_step * steps)])
    return out


def test_every_sample_of_a_step_falls_on_one_slot_and_the_slots_past_it_are_padding():
    for world_size, micro_batch, global_batch in [(2, 1, 4), (3, 1, 4), (2, 2, 6), (4, 2, 6), (7, 1, 1024)]:
        per_step = micro_steps(global_batch, micro_batch, world_size)
        ranks = _first_steps(world_size, micro_batch, global_batch, start=global_batch, steps=1)
        real = [int(i) for batches in ranks for b in batches if PADDING not in b for i in b["input_ids"][:, 0]]
        assert sorted(real) == list(range(global_batch, 2 * global_batch))  # the second step's, each once
        padding = [b for batches in ranks for b in batches if PADDING in b]
        assert len(padding) == per_step * world_size - global_batch // micro_batch
        assert all(bool((b["labels"] == IGNORE_INDEX).all()) for b in padding)
        assert all(bool((b["labels"] != IGNORE_INDEX).all()) for batches in ranks for b in batches
                   if PADDING not in b)


def test_a_global_batch_the_ranks_divide_is_laid_out_as_before():
    """Without padding, micro-step m of rank r of step s takes samples from ((s*G + m)*W + r)*B, the layout
    checkpoints were written with before the global batch was kept."""
    world_size, micro_batch, grad_accum = 2, 2, 3
    ranks = _first_steps(world_size, micro_batch, micro_batch * grad_accum * world_size)
    for rank, batches in enumerate(ranks):
        for group, batch in enumerate(batches):
            assert int(batch["input_ids"][0, 0]) == (group * world_size + rank) * micro_batch and PADDING not in batch


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
