"""The full recipe's setting (ZeRO-3 under zero.Init, bf16, all parameters) resumes from a checkpoint exactly."""

import json
import shutil

from tests.train.conftest import make_job
from xuanyuan.train.checkpoint import latest_tag, tag_for
from xuanyuan.train.launch import run_in_process
from xuanyuan.train.metrics import read_metrics


def _job(tiny, standin_dir, out):
    return make_job(tiny, out, stage="stage2", init_model=str(standin_dir), resize=True, zero_stage=3,
                    precision="bf16", checkpoint_every=3, keep_checkpoints=2)


def test_zero3_bf16_run_interrupted_after_a_checkpoint_resumes_with_the_same_losses(tiny, standin, tmp_path):
    job = _job(tiny, standin[0], tmp_path)
    straight = run_in_process(job)
    assert straight["zero3_partitions"] and straight["resumed_from"] == 0
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
