"""The full recipe's setting (ZeRO-3 under zero.Init, bf16, all parameters) resumes from a checkpoint
exactly; so do one process under bf16 ZeRO-1 (DeepSpeed's BF16 optimizer with the copy-first
accumulation of xuanyuan.train.bf16_accumulation) and under bf16_autocast (no ZeRO, torch's AdamW state
in DeepSpeed's checkpoint)."""

import json
import shutil

import pytest

from tests.train.conftest import make_job
from xuanyuan.train.checkpoint import latest_tag, tag_for
from xuanyuan.train.launch import run_in_process
from xuanyuan.train.metrics import read_metrics


def _job(tiny, standin_dir, out, zero_stage, precision):
    return make_job(tiny, out, stage="stage2", init_model=str(standin_dir), resize=True, zero_stage=zero_stage,
                    precision=precision, checkpoint_every=3, keep_checkpoints=2)


@pytest.mark.parametrize("zero_stage,precision", [(3, "bf16"), (1, "bf16"), (0, "bf16_autocast")])
def test_a_run_interrupted_after_a_checkpoint_resumes_with_the_same_losses(tiny, standin, tmp_path, zero_stage,
                                                                           precision):
    job = _job(tiny, standin[0], tmp_path, zero_stage, precision)
    straight = run_in_process(job)
    assert ("zero3_partitions" in straight) == (zero_stage == 3) and straight["resumed_from"] == 0
    straight_losses = [r["loss"] for r in read_metrics(job.metrics_path)]

    # As if killed after the step-3 checkpoint: the later checkpoint and the export are gone.
    shutil.rmtree(f"{job.checkpoint_dir}/{latest_tag(job.checkpoint_dir)}")
    (tmp_path / "ckpt" / "latest").write_text(tag_for(3))
    shutil.rmtree(job.out_dir)
    again = run_in_process(job)

    assert again["resumed_from"] == 3
    assert [r["loss"] for r in read_metrics(job.metrics_path)] == straight_losses
    assert again["eval_loss"] == straight["eval_loss"]
    assert json.loads((tmp_path / "model" / "xuanyuan_train.json").read_text())["resumed_from"] == 3
