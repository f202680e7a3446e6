"""`python -m xuanyuan.train export`: one checkpoint of a stage as a Hugging Face directory."""

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from tests.train.conftest import make_job
from xuanyuan.errors import UserError
from xuanyuan.train.checkpoint_export import SNAPSHOT_PREFIX, export_checkpoint
from xuanyuan.train.launch import run_in_process


def _weights(model_dir) -> dict[str, torch.Tensor]:
    tensors = {}
    for path in sorted(Path(model_dir).glob("*.safetensors")):
        tensors.update(load_file(path))
    return tensors


def _tree(directory: Path) -> dict[str, tuple[int, int]]:
    """Every file under `directory`: (size, mtime in ns)."""
    return {str(p.relative_to(directory)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(directory.rglob("*")) if p.is_file()}


def _trained(tiny, standin, root: Path, stage: str, **overrides):
    """A finished 6-step stage with its checkpoints of steps 3 and 6, and the job file the launcher writes."""
    job = make_job(tiny, root, stage=stage, init_model=str(standin[0]), resize=True, keep_checkpoints=2, **overrides)
    summary = run_in_process(job)
    job.to_json(Path(job.checkpoint_dir) / "job.json")  # launch writes it; run_in_process does not
    return job, summary


CASES = [
    # stage 1 under DeepSpeed bf16: the frozen weights exist in the engine only in bf16 (the export must
    # keep them in fp32), the trainable ones' fp32 masters are partitioned by ZeRO-2.
    pytest.param("stage1", {"zero_stage": 2, "precision": "bf16"}, id="stage1-zero2-bf16"),
    pytest.param("stage2", {"zero_stage": 3, "precision": "bf16"}, id="stage2-zero3-bf16"),
    pytest.param("stage2", {"zero_stage": 0, "precision": "fp32"}, id="stage2-zero0-fp32"),
]


@pytest.mark.parametrize("stage,overrides", CASES)
def test_the_last_checkpoint_exports_the_stages_own_export_and_an_earlier_one_its_own_weights(
        tiny, standin, tmp_path, stage, overrides):
    job, summary = _trained(tiny, standin, tmp_path / "run", stage, **overrides)
    ckpt = Path(job.checkpoint_dir)
    before, metrics_before = _tree(ckpt), Path(job.metrics_path).read_bytes()

    last = export_checkpoint(ckpt, tmp_path / "last", in_process=True)
    stage_export, exported = _weights(job.out_dir), _weights(tmp_path / "last")
    assert exported.keys() == stage_export.keys()
    for name, tensor in stage_export.items():
        assert exported[name].dtype == tensor.dtype and torch.equal(exported[name], tensor), name
    assert json.loads((tmp_path / "last" / "config.json").read_text()) == json.loads(
        (Path(job.out_dir) / "config.json").read_text())
    assert (tmp_path / "last" / "tokenizer.json").read_bytes() == (Path(job.out_dir) / "tokenizer.json").read_bytes()
    assert last["eval_loss"] == summary["eval_loss"]
    assert last["exported_from"] == {"checkpoint": f"{ckpt}/step00000006", "step": 6, "of_steps": 6}

    early = export_checkpoint(ckpt, tmp_path / "early", step=3, in_process=True)
    assert early["steps"] == 3 and early["exported_from"]["step"] == 3 and early["samples"] == 3 * 2
    assert early["eval_loss"] != summary["eval_loss"]
    at_three = _weights(tmp_path / "early")
    trained_names = ({n for n in at_three if "embed_tokens" in n or "lm_head" in n} if stage == "stage1"
                     else set(at_three))
    for name, tensor in at_three.items():
        assert torch.equal(tensor, stage_export[name]) == (name not in trained_names), name
        assert tensor.dtype == torch.float32

    # The stage's directory is as it was: no file touched, no snapshot left, the metrics file unchanged.
    assert _tree(ckpt) == before
    assert not list(ckpt.glob(f"{SNAPSHOT_PREFIX}*"))
    assert Path(job.metrics_path).read_bytes() == metrics_before


def test_an_earlier_checkpoint_exports_what_deepspeeds_own_converter_reads_from_it(tiny, standin, tmp_path):
    """An independent reading of the step-3 ZeRO-2 checkpoint: DeepSpeed's zero_to_fp32 assembles the fp32
    weights from the optimizer partitions; the export's weights are the same."""
    from deepspeed.utils.zero_to_fp32 import get_fp32_state_dict_from_zero_checkpoint

    job, _ = _trained(tiny, standin, tmp_path / "run", "stage2", zero_stage=2, precision="bf16")
    export_checkpoint(job.checkpoint_dir, tmp_path / "early", step=3, in_process=True)
    reference = get_fp32_state_dict_from_zero_checkpoint(job.checkpoint_dir, tag="step00000003")
    exported = _weights(tmp_path / "early")
    assert set(reference) == set(exported)
    for name, tensor in reference.items():
        assert torch.equal(exported[name], tensor), name


def test_mistakes_stop_with_the_fix_before_anything_is_loaded(tiny, standin, tmp_path):
    with pytest.raises(UserError, match="no job.json"):
        export_checkpoint(tmp_path, tmp_path / "out", in_process=True)

    job, _ = _trained(tiny, standin, tmp_path / "run", "stage2")
    with pytest.raises(UserError, match=r"no checkpoint of step 4; the steps kept are 3, 6"):
        export_checkpoint(job.checkpoint_dir, tmp_path / "out", step=4, in_process=True)
    (Path(job.checkpoint_dir) / "latest").write_text("step00000003")  # as while step 6 is being written
    with pytest.raises(UserError, match="step00000006 is newer than the last complete checkpoint"):
        export_checkpoint(job.checkpoint_dir, tmp_path / "out", step=6, in_process=True)
    (Path(job.checkpoint_dir) / "latest").write_text("step00000006")
    with pytest.raises(UserError, match="the stage's own output"):
        export_checkpoint(job.checkpoint_dir, job.out_dir, in_process=True)

    # A checkpoint written by two ranks, exported by one without --convert.
    record = Path(job.checkpoint_dir) / "step00000006" / "xuanyuan_train.json"
    record.write_text(json.dumps({**json.loads(record.read_text()), "world_size": 2}))
    with pytest.raises(UserError, match=r"written by 2 ranks and this export runs 1.*--convert"):
        export_checkpoint(job.checkpoint_dir, tmp_path / "out", in_process=True)
    assert not (tmp_path / "out").exists()
    assert not list(Path(job.checkpoint_dir).glob(f"{SNAPSHOT_PREFIX}*"))


def test_a_checkpoint_pruned_while_it_is_snapshotted_stops_with_the_reason(tiny, standin, tmp_path, monkeypatch):
    import os
    import shutil

    from xuanyuan.train import checkpoint_export

    job, _ = _trained(tiny, standin, tmp_path / "run", "stage2")
    link = os.link

    def pruned_first(source, target):  # the running stage's _prune removes step 3 mid-copy
        shutil.rmtree(Path(job.checkpoint_dir) / "step00000003", ignore_errors=True)
        link(source, target)

    monkeypatch.setattr(checkpoint_export.os, "link", pruned_first)
    with pytest.raises(UserError, match="step00000003 went while it was being snapshotted"):
        export_checkpoint(job.checkpoint_dir, tmp_path / "out", step=3, in_process=True)
    assert not list(Path(job.checkpoint_dir).glob(f"{SNAPSHOT_PREFIX}*"))


def test_a_job_file_of_relative_paths_says_where_to_run_the_export_from(tiny, tmp_path, monkeypatch):
    """The pipeline's job files name their paths relative to the workspace snakemake ran in."""
    from xuanyuan.train.checkpoint_export import stage_job

    workspace = tmp_path / "workspace"
    ckpt = workspace / "work" / "checkpoints" / "stage2"
    ckpt.mkdir(parents=True)
    job = make_job(tiny, tmp_path)
    job.checkpoint_dir = "work/checkpoints/stage2"
    job.to_json(ckpt / "job.json")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UserError, match=f"cd {workspace} first"):
        stage_job(ckpt)
    monkeypatch.chdir(workspace)
    assert stage_job("work/checkpoints/stage2").checkpoint_dir == "work/checkpoints/stage2"
