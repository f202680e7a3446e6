"""RoPE in fp32: in the model as trained (DeepSpeed bf16), cos/sin match float64 up to 16,384."""

import deepspeed
import pytest
import torch

from xuanyuan.train.deepspeed_config import deepspeed_config
from xuanyuan.train.distributed import init_distributed
from xuanyuan.train.model import build_standin
from xuanyuan.train.rope import (
    bf16_cos_sin, check_rope_precision, install_fp32_rope, model_cos_sin, rope_max_error,
)
from xuanyuan.train.settings import tiny_cpu

MAX_POSITION = 16384


@pytest.fixture(scope="module")
def bf16_engine():
    model_settings, train = tiny_cpu()
    train = train.__class__(**{**train.__dict__, "precision": "bf16", "zero_stage": 2})
    d = init_distributed()
    model = build_standin(model_settings, 320, seed=0)
    config = deepspeed_config(train, train.stage2, d.world_size, on_cuda=False)
    engine, *_ = deepspeed.initialize(model=model, model_parameters=model.parameters(), config=config)
    return engine


def test_model_as_trained_is_bf16_and_its_rope_is_fp32(bf16_engine):
    module = bf16_engine.module
    assert next(module.parameters()).dtype == torch.bfloat16
    # Hugging Face's own rotary module hands cos/sin to bf16 attention in bf16: off by ~2e-3.
    assert rope_max_error(lambda p: model_cos_sin(module, p, torch.bfloat16), module.config, MAX_POSITION) > 1e-3
    install_fp32_rope(module)
    error = check_rope_precision(lambda p: model_cos_sin(module, p, torch.bfloat16), module.config, MAX_POSITION)
    assert error < 1e-5


def test_a_bf16_computation_fails_the_check(bf16_engine):
    config = bf16_engine.module.config
    with pytest.raises(AssertionError, match="RoPE cos/sin off"):
        check_rope_precision(lambda p: bf16_cos_sin(config, p), config, MAX_POSITION)
    # bf16 cannot hold position 8200: it becomes 8192.
    assert torch.tensor(8200).to(torch.bfloat16).item() == 8192


def test_a_plain_bf16_cast_rounds_the_rotary_buffer():
    model = build_standin(tiny_cpu()[0], 320, seed=0).bfloat16()
    error = rope_max_error(lambda p: model_cos_sin(model, p, torch.bfloat16), model.config, MAX_POSITION)
    assert error > 0.1  # inv_freq rounded to bf16: the angle at position 16k is off by radians
    install_fp32_rope(model)
    assert check_rope_precision(lambda p: model_cos_sin(model, p, torch.bfloat16), model.config, MAX_POSITION) < 1e-5


def test_fp32_rotation_keeps_the_activation_dtype(bf16_engine):
    module = bf16_engine.module
    install_fp32_rope(module)
    ids = torch.randint(0, 320, (1, 16))
    with torch.no_grad():
        logits = module(input_ids=ids, position_ids=torch.arange(16)[None] + 9000).logits
    assert logits.dtype == torch.bfloat16 and torch.isfinite(logits.float()).all()
