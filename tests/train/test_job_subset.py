"""Which settings a training job depends on: the rules' params and the checkpoint fingerprint agree."""

import dataclasses

from xuanyuan.train.job import RESIZE_KEYS, RUN_ONLY_KEYS, WEIGHT_KEYS, job_config, sft_job, stage_job, training_subset
from xuanyuan.train.settings import TRAINING_STAGES, TrainSettings, settings_dict
from xuanyuan.train.stages import _fingerprint


def _config(**pretrain):
    base = settings_dict(TrainSettings())
    base.update(pretrain)
    return {"model": {"path": None}, "pretrain": base,
            "sft": {"stage1": {"train": {"lr": 5e-4}}, "stage2": {"train": {"lr": 3e-4}}}}


def _job(config, stage, tmp_path):
    paths = dict(out_dir=str(tmp_path / "out"), checkpoint_dir=str(tmp_path / "ck"), metrics_path=str(tmp_path / "m"),
                 tokenizer_dir=str(tmp_path / "tok"), tensorboard_dir=str(tmp_path / "tb"))
    if stage.startswith("sft"):
        return sft_job(config, stage, rows_dir=str(tmp_path / "rows"), init_model=str(tmp_path / "init"), **paths)
    return stage_job(config, stage, data=[], init_model=str(tmp_path / "init"), **paths)


def test_every_pretrain_key_is_either_a_weight_key_or_run_only():
    fields = {f.name for f in dataclasses.fields(TrainSettings)}
    classified = set(WEIGHT_KEYS) | set(RESIZE_KEYS) | set(RUN_ONLY_KEYS) | set(TRAINING_STAGES)
    assert fields == classified, fields ^ classified


def test_a_stage_carries_its_own_schedule_only():
    subset = training_subset(_config(), "stage2")
    assert "stage2" in subset["pretrain"] and not {"stage1", "base_standin", "perplexity", "log_every", "pad_rows"} & set(subset["pretrain"])
    assert "pad_rows" in training_subset(_config(), "stage1")["pretrain"]
    sft = training_subset(_config(), "sft2")
    assert sft["sft"] == {"stage2": {"train": {"lr": 3e-4}}} and "stage2" not in sft["pretrain"]


def test_the_job_trains_with_the_param_values(tmp_path):
    # The param (subset) wins over the config for what matters; the rest comes from the config.
    subset = training_subset(_config(), "stage2")
    merged = job_config(_config(log_every=3, seed=99, stage2={"lr": 9.0}), subset)
    assert merged["pretrain"]["seed"] == 1 and merged["pretrain"]["stage2"] == subset["pretrain"]["stage2"]
    assert merged["pretrain"]["log_every"] == 3


def test_the_fingerprint_ignores_logging_and_other_stages_but_not_the_schedule(tmp_path):
    for stage in ("stage2", "sft1"):
        before = _fingerprint(_job(_config(), stage, tmp_path))
        irrelevant = _config(log_every=1, checkpoint_every=7, keep_checkpoints=5, peak_tflops=10.0,
                             perplexity={"english_tolerance": 0.5}, stage1={"lr": 1.0})
        assert _fingerprint(_job(irrelevant, stage, tmp_path)) == before
        assert _fingerprint(_job(_config(seed=2), stage, tmp_path)) != before
    relevant = _config(stage2={**settings_dict(TrainSettings())["stage2"], "lr": 1.0})
    assert _fingerprint(_job(relevant, "stage2", tmp_path)) != _fingerprint(_job(_config(), "stage2", tmp_path))
