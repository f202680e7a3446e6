"""Settings from the validated config, the generated DeepSpeed config, the FLOP formula, the launcher command."""

import copy
import dataclasses
from pathlib import Path

import pytest
import yaml
from snakemake.utils import validate

from tests.conftest import REPO
from xuanyuan.train.deepspeed_config import deepspeed_config
from xuanyuan.train.flops import flops_per_token
from xuanyuan.train.launch import torchrun_command
from xuanyuan.train.model import resolve_attn_implementation
from xuanyuan.train.settings import ModelSettings, TrainSettings, model_settings, train_settings


def _validated(without: tuple[str, ...] = ()):
    """The default config, validated (which fills in the schema's defaults), less the sections `without`."""
    config = copy.deepcopy(yaml.safe_load((REPO / "config" / "config.yaml").read_text()))
    for section in without:
        config.pop(section, None)
    validate(config, str(REPO / "config" / "schema.yaml"))
    return config


def test_schema_defaults_equal_the_dataclass_defaults():
    config = _validated(without=("pretrain",))  # the default config sets pretrain.spikes.window
    assert model_settings(config["model"]) == ModelSettings()
    assert train_settings(config["pretrain"]) == TrainSettings()
    assert config["resources"]["pretrain"]["threads"] == 2
    # the SFT stages' schedules live in the sft section (sft.stageN.train)
    for stage, key in (("sft1", "stage1"), ("sft2", "stage2")):
        assert train_settings({stage: config["sft"][key]["train"]}).stage(stage) == TrainSettings().stage(stage)


def test_a_partial_stage_keeps_its_other_defaults():
    settings = train_settings({"stage2": {"steps": 7}, "precision": "bf16"})
    assert settings.stage2.steps == 7 and settings.stage2.lr == TrainSettings().stage2.lr
    assert settings.precision == "bf16"
    with pytest.raises(ValueError, match="unknown config key"):
        train_settings({"stage2": {"step": 7}})


def test_deepspeed_config_from_settings():
    settings = dataclasses.replace(TrainSettings(), precision="bf16", zero_stage=3)
    config = deepspeed_config(settings, settings.stage2, world_size=8, on_cuda=True)
    assert config["train_batch_size"] == 4 * 1 * 8
    assert config["bf16"]["enabled"] and config["zero_optimization"]["stage"] == 3
    # torch's fused AdamW on CUDA: no DeepSpeed op to compile with nvcc on the nodes
    assert config["optimizer"]["params"]["torch_adam"] and config["optimizer"]["params"]["fused"]
    assert "scheduler" not in config  # ours, passed to deepspeed.initialize (tests/train/test_schedule.py)
    cpu = deepspeed_config(TrainSettings(), TrainSettings().stage1, world_size=2, on_cuda=False)
    assert cpu["optimizer"]["params"]["torch_adam"] and not cpu["optimizer"]["params"]["fused"]
    assert not cpu["bf16"]["enabled"]
    with pytest.raises(ValueError, match="precision"):
        deepspeed_config(dataclasses.replace(settings, precision="fp16"), settings.stage2, 1, on_cuda=False)
    with pytest.raises(ValueError, match="zero_stage >= 1"):  # DeepSpeed refuses bf16 without ZeRO
        deepspeed_config(dataclasses.replace(settings, zero_stage=0), settings.stage2, 1, on_cuda=True)


def test_zero_buckets_are_capped_at_the_gradient_size():
    settings = dataclasses.replace(TrainSettings(), zero_stage=2)
    small = deepspeed_config(settings, settings.stage2, world_size=2, on_cuda=False, trainable_params=2_196_608)
    assert small["zero_optimization"]["reduce_bucket_size"] == 2_196_608
    assert small["zero_optimization"]["allgather_bucket_size"] == 2_196_608
    big = deepspeed_config(settings, settings.stage2, world_size=2, on_cuda=True, trainable_params=70_000_000_000)
    assert big["zero_optimization"]["reduce_bucket_size"] == 50_000_000
    assert deepspeed_config(settings, settings.stage2, 2, on_cuda=True)["zero_optimization"]["reduce_bucket_size"] == 50_000_000


def test_flops_per_token_formula():
    # 6N + 12 L d S, e.g. Llama-2-70B-like: N = 68.7e9 (without input embeddings), L 80, d 8192, S 8192
    assert flops_per_token(68_700_000_000, 80, 8192, 8192) == 6 * 68.7e9 + 12 * 80 * 8192 * 8192


def test_the_report_warns_when_the_timed_peaks_of_the_stages_differ_widely():
    from xuanyuan.train.report import measured_peak_note

    cpu = "measured matmul on CPU (Some CPU, 1 threads, AVX2)"
    close = [("stage1", {"peak_tflops": 0.10, "peak_source": cpu}), ("stage2", {"peak_tflops": 0.14, "peak_source": cpu})]
    assert measured_peak_note(close) == []
    apart = [("base_standin", {"peak_tflops": 0.036, "peak_source": cpu}), *close]
    note = measured_peak_note(apart)[0]
    assert "differ 3.9x** (base_standin 0.036, stage2 0.14 TFLOP/s)" in note and "pretrain.peak_tflops" in note
    # A datasheet or configured peak is the same number every time: nothing to warn about.
    assert measured_peak_note([("a", {"peak_tflops": 989.0, "peak_source": "datasheet H200"}),
                               ("b", {"peak_tflops": 100.0, "peak_source": "config"})]) == []


def test_attention_choice_on_cpu():
    assert resolve_attn_implementation("auto") == "sdpa"
    with pytest.raises(ValueError, match="needs CUDA"):
        resolve_attn_implementation("flash_attention_2")


def test_torchrun_command():
    cmd = torchrun_command(Path("job.json"), 2)
    assert cmd[1:4] == ["-m", "torch.distributed.run", "--nproc-per-node=2"] and "--standalone" in cmd
    multi = torchrun_command(Path("job.json"), 8, nnodes=4, node_rank=1, master_addr="node0")
    assert "--nnodes=4" in multi and "--node-rank=1" in multi and "--master-addr=node0" in multi


def test_deepspeed_overrides_merge_over_the_generated_config():
    settings = dataclasses.replace(TrainSettings(), precision="bf16", zero_stage=3, deepspeed={
        "zero_optimization": {"stage3_prefetch_bucket_size": 123, "overlap_comm": False},
        "bf16": {"immediate_grad_update": False}, "communication_data_type": "fp32"})
    config = deepspeed_config(settings, settings.stage2, world_size=8, on_cuda=True)
    zero = config["zero_optimization"]
    assert zero["stage3_prefetch_bucket_size"] == 123 and zero["overlap_comm"] is False
    assert zero["stage"] == 3 and zero["stage3_param_persistence_threshold"] == 1e4  # generated keys kept
    assert config["bf16"] == {"enabled": True, "immediate_grad_update": False}  # the generated True overridden
    assert config["communication_data_type"] == "fp32"


@pytest.mark.parametrize("override, setting", [
    ({"train_batch_size": 64}, "the stage.s micro_batch and grad_accum"),
    ({"zero_optimization": {"stage": 1}}, "pretrain.zero_stage"),
    ({"bf16": {"enabled": False}}, "pretrain.precision"),
    ({"optimizer": {"type": "Adam"}}, "pretrain.weight_decay"),
    ({"scheduler": {"type": "WarmupLR"}}, "pretrain.scheduler"),
])
def test_deepspeed_overrides_of_derived_keys_are_refused(override, setting):
    settings = dataclasses.replace(TrainSettings(), deepspeed=override)
    with pytest.raises(ValueError, match=f"pretrain.deepspeed.* is set by the pipeline from {setting}"):
        deepspeed_config(settings, settings.stage2, world_size=2, on_cuda=False)


def test_deepspeed_overrides_reach_the_engine():
    from transformers import LlamaConfig, LlamaForCausalLM

    from xuanyuan.train.distributed import init_distributed
    from xuanyuan.train.trainer import build_engine

    model = LlamaForCausalLM(LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                                         num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=32))
    settings = dataclasses.replace(TrainSettings(), zero_stage=2,
                                   deepspeed={"zero_optimization": {"reduce_bucket_size": 12345}})
    engine = build_engine(model, settings, settings.stage2, init_distributed())
    assert engine.zero_reduce_bucket_size() == 12345 and engine.zero_optimization_stage() == 2
