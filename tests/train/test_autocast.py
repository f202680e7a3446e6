"""precision: bf16_autocast (DeepSpeed's torch_autocast): fp32 weights and optimizer, bf16 matrix
products, fp32 RoPE; frozen weights bitwise unchanged; the export is the fp32 weights trained."""

import dataclasses

import pytest
import torch
from safetensors.torch import load_file

from tests.train.conftest import make_job, random_batch
from xuanyuan.train.deepspeed_config import deepspeed_config
from xuanyuan.train.distributed import init_distributed
from xuanyuan.train.freeze import check_unchanged, embedding_parameter_names
from xuanyuan.train.launch import run_in_process
from xuanyuan.train.loss import batch_loss
from xuanyuan.train.model import build_standin
from xuanyuan.train.rope import check_rope_precision, model_cos_sin
from xuanyuan.train.settings import StageSettings, TrainSettings, tiny_cpu
from xuanyuan.train.trainer import build_engine


def test_the_config_turns_on_torch_autocast_and_not_deepspeed_bf16():
    settings = dataclasses.replace(TrainSettings(), precision="bf16_autocast", zero_stage=0)
    config = deepspeed_config(settings, settings.stage2, world_size=1, on_cuda=False)
    assert config["torch_autocast"] == {"enabled": True, "dtype": "bfloat16"}
    assert config["bf16"] == {"enabled": False} and "data_types" not in config
    refused = dataclasses.replace(settings, deepspeed={"torch_autocast": {"enabled": False}})
    with pytest.raises(ValueError, match="torch_autocast.enabled is set by the pipeline from pretrain.precision"):
        deepspeed_config(refused, settings.stage2, world_size=1, on_cuda=False)


@pytest.mark.parametrize("zero_stage", [0, 2])
def test_the_engine_multiplies_in_bf16_and_updates_fp32_weights(zero_stage):
    model_settings, train = tiny_cpu()
    train = dataclasses.replace(train, precision="bf16_autocast", zero_stage=zero_stage)
    stage = StageSettings(steps=2, lr=1e-3, warmup_steps=0, seq_length=16, micro_batch=2)
    engine = build_engine(build_standin(model_settings, 320, seed=0), train, stage, init_distributed())
    module = engine.module
    before = {name: p.detach().clone() for name, p in module.named_parameters()}
    assert all(p.dtype == torch.float32 for p in before.values())
    products = []
    hook = module.model.layers[0].mlp.down_proj.register_forward_hook(lambda _m, _i, out: products.append(out.dtype))
    batch = random_batch(torch.Generator().manual_seed(0))
    loss = batch_loss(engine, batch, torch.device("cpu"))
    engine.backward(loss)
    engine.step()
    hook.remove()
    assert products == [torch.bfloat16] and torch.isfinite(loss)
    after = dict(module.named_parameters())
    assert all(after[name].dtype == torch.float32 for name in before)
    assert all(not torch.equal(after[name].detach(), before[name]) for name in before)
    # The rotary table stays the fp32 one, whatever the products run in.
    check_rope_precision(lambda p: model_cos_sin(module, p, torch.bfloat16), module.config, 4096)


@pytest.mark.slow
def test_stage1_bf16_autocast_keeps_frozen_weights_and_exports_the_trained_fp32_ones(tiny, standin, tmp_path):
    from transformers import LlamaForCausalLM

    from xuanyuan.train.resize import resize_to_expanded

    job = make_job(tiny, tmp_path, stage="stage1", init_model=str(standin[0]), resize=True,
                   precision="bf16_autocast", zero_stage=0)
    summary = run_in_process(job)
    reference = LlamaForCausalLM.from_pretrained(standin[0], dtype=torch.float32)
    resize_to_expanded(reference, tiny.expanded)
    ref = {k: v.detach() for k, v in reference.named_parameters()}
    out = load_file(tmp_path / "model" / "model.safetensors")
    trainable = embedding_parameter_names(reference)
    assert check_unchanged(ref, out, [name for name in ref if name not in trainable]) == []
    for name in trainable:
        assert out[name].dtype == torch.float32 and not torch.equal(out[name], ref[name])
    assert summary["settings"]["pretrain"]["precision"] == "bf16_autocast" and summary["eval_loss"] > 0


@pytest.mark.slow
def test_zero3_under_autocast_follows_the_fp32_losses(tiny, standin, tmp_path):
    """ZeRO-3 builds, gathers and steps fp32 partitions under autocast: the losses of stage 2 follow
    fp32's to bf16 rounding, and differ from them (the products did run in bf16)."""
    from xuanyuan.train.metrics import read_metrics

    losses = {}
    for precision in ("fp32", "bf16_autocast"):
        job = make_job(tiny, tmp_path / precision, stage="stage2", init_model=str(standin[0]), resize=True,
                       precision=precision, zero_stage=3, log_every=1)
        summary = run_in_process(job)
        assert summary["zero3_partitions"]
        losses[precision] = [record["loss"] for record in read_metrics(job.metrics_path)]
    assert losses["fp32"] != losses["bf16_autocast"]
    assert losses["bf16_autocast"] == pytest.approx(losses["fp32"], rel=2e-2)
