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


def test_4bit_layers_take_the_plain_cpu_path_on_every_cpu(variants):
    """bitsandbytes 0.50's AVX512-BF16 repacking fails on rows of partial blocks (this model's MLP) and
    would make results depend on the CPU; both the fresh and the reloaded model opt out of it."""
    import bitsandbytes as bnb

    out, fresh = variants("nf4")
    for model in (fresh, load_quantized(out)):
        layers = [m for m in model.modules() if isinstance(m, bnb.nn.Linear4bit)]
        assert layers and not any(m.support_avx512bf16_for_cpu for m in layers)


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


def test_gptq_records_that_no_module_fell_back_to_round_to_nearest(variants):
    record = json.loads((variants("gptq4")[0] / "quantize.json").read_text())
    assert record["gptq_fallback"] == {"modules": [], "mock_quantization": False}


def test_modules_gptqmodel_quantizes_by_round_to_nearest_are_recorded_and_flagged(tiny_llama, tmp_path, monkeypatch):
    """GPTQModel's default fallback (RTN when < 0.5% of the samples reach a module) used to leave no trace
    but a log line. Forced here for every module, as a module no calibration sample reaches would be."""
    import gptqmodel.utils.fallback

    from xuanyuan.quantize import quantize_variant, tiny_cpu
    from xuanyuan.quantize.report import write_quantize_report
    from xuanyuan.quantize.tiny import corpus

    monkeypatch.setattr(gptqmodel.utils.fallback, "should_use_fallback", lambda *args, **kwargs: True)
    out = tmp_path / "gptq4"
    quantize_variant("gptq4", tiny_llama, out, tiny_cpu(), calibration_texts=corpus(120, seed=1))
    fallback = json.loads((out / "quantize.json").read_text())["gptq_fallback"]
    modules = {(m["layer"], m["module"]) for m in fallback["modules"]}
    assert (0, "mlp.up_proj") in modules and (0, "self_attn.q_proj") in modules, fallback
    assert all(m["loss"].startswith("fallback(rtn)") for m in fallback["modules"])

    rows = [{"variant": "bf16", "weight_bytes": 2e6, "hardware": "Some CPU, 2 threads, AVX2"},
            {"variant": "gptq4", "weight_bytes": 1e6, "model_dir": str(out), "gptq_fallback": fallback,
             "hardware": "Some CPU, 2 threads, AVX2"}]
    md, csv_path = tmp_path / "quantize.md", tmp_path / "quantize.csv"
    write_quantize_report(rows, source="base", md_path=str(md), csv_path=str(csv_path), chash="abc", version="v")
    text = md.read_text()
    assert "Measured on cpu (Some CPU, 2 threads, AVX2)." in text
    assert f"**Warning: gptq4**: {len(modules)} module(s) were quantized by GPTQModel's round-to-nearest" in text
    assert "quantize.gptq.n_samples" in text and f"{out}/quantize.json" in text
    import csv

    table = {r["variant"]: r for r in csv.DictReader(open(csv_path, encoding="utf-8"))}
    assert table["gptq4"]["RTN fallback modules"] == str(len(modules)) and table["bf16"]["RTN fallback modules"] == "-"
