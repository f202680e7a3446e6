"""quantize -> save -> reload gives the same logits and greedy generation, for every variant."""

import json

import pytest
import torch

from tests.quantize.conftest import prompt_batch
from xuanyuan.quantize import load_quantized, recorded_settings

pytestmark = pytest.mark.xdist_group("quantize")


@torch.no_grad()
def _logits(model, batch):
    return model(**batch).logits.float()


@pytest.mark.parametrize("variant", ["int8", "gptq4", "nf4", "bf16"])
def test_reload_gives_identical_logits_and_generation(variants, variant):
    out, fresh = variants(variant)
    reloaded = load_quantized(out)
    batch = prompt_batch(out)
    assert torch.equal(_logits(fresh, batch), _logits(reloaded, batch))
    kwargs = dict(max_new_tokens=8, do_sample=False)
    assert torch.equal(fresh.generate(**batch, **kwargs), reloaded.generate(**batch, **kwargs))


# Relative error of the logits (Frobenius); measured on this random model: bf16 0.008, int8 0.025,
# GPTQ 0.20, NF4 0.24 (4-bit on random Gaussian weights, no structure for calibration to exploit).
@pytest.mark.parametrize("variant,max_rel_error", [("bf16", 0.02), ("int8", 0.05), ("nf4", 0.35), ("gptq4", 0.35)])
def test_quantized_logits_stay_close_to_the_unquantized_model(variants, tiny_llama, variant, max_rel_error):
    from transformers import AutoModelForCausalLM

    out, model = variants(variant)
    batch = prompt_batch(out)
    reference = _logits(AutoModelForCausalLM.from_pretrained(tiny_llama).eval(), batch)
    error = (_logits(model, batch) - reference).norm() / reference.norm()
    assert error < max_rel_error


def test_variant_directories_record_how_they_were_made(variants, tiny_llama):
    out, _ = variants("gptq4")
    record = json.loads((out / "quantize.json").read_text())
    assert record["variant"] == "gptq4" and record["source"] == str(tiny_llama)
    assert record["calibration"]["samples"] == 16 and record["calibration"]["windows"] >= 16
    assert recorded_settings(out).gptq.group_size == 32
    # GPTQModel writes do_sample=true; the source's generation config must win.
    assert json.loads((out / "generation_config.json").read_text()) == \
        json.loads((tiny_llama / "generation_config.json").read_text())
    assert not out.with_name(out.name + ".partial").exists()


def test_kinds_of_layers_are_the_backends(variants):
    import bitsandbytes as bnb
    from gptqmodel.nn_modules.qlinear import BaseQuantLinear

    assert isinstance(load_quantized(variants("int8")[0]).model.layers[0].mlp.up_proj, bnb.nn.Linear8bitLt)
    assert isinstance(load_quantized(variants("nf4")[0]).model.layers[0].mlp.up_proj, bnb.nn.Linear4bit)
    assert isinstance(load_quantized(variants("gptq4")[0]).model.layers[0].mlp.up_proj, BaseQuantLinear)


def test_gptq_fast_kernel_reloads_deterministically_and_close_to_the_torch_kernel(variants):
    import dataclasses

    out, fresh = variants("gptq4")
    auto = dataclasses.replace(recorded_settings(out).gptq, backend="auto")
    batch = prompt_batch(out)
    first, second = _logits(load_quantized(out, gptq=auto), batch), _logits(load_quantized(out, gptq=auto), batch)
    exact = _logits(fresh, batch)
    assert torch.equal(first, second)
    assert (first - exact).norm() / exact.norm() < 0.02  # the aten int4 kernel keeps scales in bf16
