"""`python -m xuanyuan plan`: tokens, FLOPs, days, SLURM jobs and checkpoint disk of each training stage."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO
from tests.train.conftest import make_job
from xuanyuan.__main__ import load_config
from xuanyuan.train.flops import flops_per_token
from xuanyuan.train.launch import run_in_process
from xuanyuan.train.plan import checkpoint_bytes_per_param, plan_training

# Llama-2-70B's published config.json (the sizes only).
LLAMA2_70B = {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "hidden_size": 8192,
              "intermediate_size": 28672, "num_hidden_layers": 80, "num_attention_heads": 64, "num_key_value_heads": 8,
              "vocab_size": 32000, "max_position_embeddings": 4096, "rope_theta": 10000.0, "rms_norm_eps": 1e-5,
              "tie_word_embeddings": False, "hidden_act": "silu"}


@pytest.mark.parametrize("zero_stage,precision", [(0, "fp32"), (2, "fp32"), (2, "bf16"), (3, "bf16")])
def test_checkpoint_bytes_per_parameter_are_what_the_trainer_writes(tiny, tmp_path, zero_stage, precision):
    job = make_job(tiny, tmp_path, zero_stage=zero_stage, precision=precision, keep_checkpoints=1)
    summary = run_in_process(job)
    written = sum(f.stat().st_size for f in (Path(job.checkpoint_dir) / "step00000006").iterdir())
    per_param = written / summary["params"]["total"]
    # Above the formula only by the files' fixed part (client state, RNG, record): 0.3 B/param at 125k parameters.
    assert 0 <= per_param - checkpoint_bytes_per_param(zero_stage, precision) < 0.5, per_param


def _config(tmp_path, overlay: dict | None = None, files=("config.yaml",)):
    paths = [str(REPO / "config" / name) for name in files]
    if overlay is not None:
        (tmp_path / "overlay.yaml").write_text(yaml.safe_dump(overlay))
        paths.append(str(tmp_path / "overlay.yaml"))
    config, problems = load_config(paths)
    assert problems is None, problems
    return config, paths


def test_the_default_run_is_planned_from_its_own_sizes(tmp_path, monkeypatch):
    from xuanyuan.train.model import build_standin, count_parameters
    from xuanyuan.train.settings import model_settings

    monkeypatch.chdir(tmp_path)  # no tokenizer built here: the resized vocabulary is an upper bound
    config, _ = _config(tmp_path)
    plans = {p.stage: p for p in plan_training(config, retries_default=2)}
    assert list(plans) == ["base_standin", "stage1", "stage2", "sft1", "sft2"]
    standin = build_standin(model_settings(config["model"]), config["tokenizer"]["standin"]["vocab_size"], seed=0)
    counts = count_parameters(standin)
    base = plans["base_standin"]
    assert base.params == counts["total"] and not base.vocab_estimated
    settings = config["pretrain"]["base_standin"]
    assert base.ranks == config["pretrain"]["processes"]
    assert base.tokens == settings["steps"] * settings["micro_batch"] * settings.get("grad_accum", 1) * base.ranks \
        * settings["seq_length"]
    assert base.flops == flops_per_token(counts["non_embedding"], standin.config.num_hidden_layers,
                                         standin.config.hidden_size, settings["seq_length"]) * base.tokens
    # CPU groups get no time (a datasheet peak means nothing there), so every stage fits.
    assert all(p.hours is None and p.jobs is None and p.fits for p in plans.values())
    assert plans["stage1"].vocab_estimated and plans["stage1"].params > base.params


def test_a_built_tokenizer_gives_the_exact_vocabulary(tiny, tmp_path, monkeypatch):
    """Once the tokenizer stage has run, the stages after the stand-in are counted at its padded vocabulary."""
    import shutil

    from xuanyuan.train.model import build_standin, count_parameters
    from xuanyuan.train.resize import load_expansion
    from xuanyuan.train.settings import model_settings

    monkeypatch.chdir(tmp_path)
    config, _ = _config(tmp_path)
    shutil.copytree(tiny.expanded, Path(config["paths"]["models"]) / "tokenizer")
    stage2 = {p.stage: p for p in plan_training(config, retries_default=2)}["stage2"]
    padded = load_expansion(tiny.expanded)["padded_vocab_size"]
    assert not stage2.vocab_estimated
    assert stage2.params == count_parameters(build_standin(model_settings(config["model"]), padded, seed=0))["total"]


def test_the_full_recipe_needs_more_jobs_than_the_profiles_retries_for_stage_2(tmp_path):
    unmounted, _ = _config(tmp_path, {"model": {"path": str(tmp_path / "not-mounted")}}, files=("xuanyuan-70b.yaml",))
    assert all(p.params is None and p.hours is None and p.fits for p in plan_training(unmounted))

    base = tmp_path / "llama-2-70b"
    base.mkdir()
    (base / "config.json").write_text(json.dumps(LLAMA2_70B))
    config, paths = _config(tmp_path, {"model": {"path": str(base)}, "tokenizer": {"base_model": None},
                                       "resources": {"pretrain": {"retries": None}, "sft": {"retries": None}}},
                            files=("config.yaml", "xuanyuan-70b.yaml"))
    plans = {p.stage: p for p in plan_training(config, retries_default=2)}
    assert list(plans) == ["stage1", "stage2", "sft1", "sft2"]
    stage2 = plans["stage2"]
    # Llama-2-70B has 68,976,648,192 parameters; the resize adds 7,000 characters padded to 39,040 rows.
    assert stage2.params == 68_976_648_192 + 2 * (39_040 - 32_000) * 8192 and stage2.vocab_estimated
    assert stage2.ranks == 128 and stage2.global_batch == 1024 and stage2.tokens == 40_000 * 1024 * 8192
    assert stage2.hours == pytest.approx(stage2.flops / (128 * 989e12 * 0.4) / 3600)
    assert stage2.checkpoint_bytes == 12 * stage2.params  # ZeRO-3
    assert stage2.jobs == 19 and not stage2.fits and plans["stage1"].fits

    listed = subprocess.run([sys.executable, "-m", "xuanyuan", "plan", *paths[1:]], capture_output=True, text=True,
                            cwd=tmp_path, timeout=300)
    assert listed.returncode == 1, listed.stderr[-2000:]
    assert "set resources.pretrain.retries to at least 18" in listed.stdout
    assert "| stage2 | 128 | 1024 x 8192 | 40,000 |" in listed.stdout

    # The recipe's config as shipped sets the retries its stages need.
    shipped, paths = _config(tmp_path, {"model": {"path": str(base)}, "tokenizer": {"base_model": None}},
                             files=("config.yaml", "xuanyuan-70b.yaml"))
    assert all(p.fits for p in plan_training(shipped, retries_default=2))
    assert subprocess.run([sys.executable, "-m", "xuanyuan", "plan", *paths], capture_output=True, text=True,
                          cwd=tmp_path, timeout=300).returncode == 0
