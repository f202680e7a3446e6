"""One row per variant directory: memory, generation speed, and ratios to the bf16 reference."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping, Sequence

from xuanyuan.provenance import hardware_description
from xuanyuan.quantize.load import SIDECAR, load_quantized, load_tokenizer
from xuanyuan.quantize.memory import memory_report
from xuanyuan.quantize.modeldir import model_config, quant_method
from xuanyuan.quantize.placement import Placement, resolve_device
from xuanyuan.quantize.settings import GPTQSettings, QuantizeSettings
from xuanyuan.quantize.speed import generation_speed


def measure_variant(model_dir: str | Path, settings: QuantizeSettings, *, device: str | Placement | None = None,
                    memory_batch: int = 8, memory_seq_length: int = 256,
                    gptq: GPTQSettings | None = None) -> dict[str, Any]:
    """Memory (weights, peak over one forward pass) and tokens/s per configured batch size of `model_dir`.

    `device`: None = `settings.device` (auto: every visible GPU, else the CPU). `gptq` overrides the
    GPTQ loading recorded in the directory (e.g. backend="auto" for the int4 kernel).
    """
    placement = resolve_device(settings.device if device is None else device, key="quantize.device")
    model = load_quantized(model_dir, placement, gptq=gptq)
    row: dict[str, Any] = {"variant": quant_method(model_config(model_dir)), "model_dir": str(model_dir),
                           "device": str(placement), "hardware": hardware_description(placement.devices())}
    row.update(memory_report(model, model_dir, batch_size=memory_batch, seq_length=memory_seq_length))
    s = settings.speed
    row["speed"] = [generation_speed(model, batch_size=b, new_tokens=s.new_tokens, prompt_tokens=s.prompt_tokens,
                                     repeats=s.repeats) for b in s.batch_sizes]
    sidecar = Path(model_dir) / SIDECAR
    if sidecar.is_file():
        # What GPTQModel quantized by round-to-nearest (xuanyuan.quantize.gptq): the report flags it.
        fallback = json.loads(sidecar.read_text(encoding="utf-8")).get("gptq_fallback")
        if fallback is not None:
            row["gptq_fallback"] = fallback
    return row


def with_ratios(rows: Sequence[Mapping[str, Any]], reference: str = "bf16") -> list[dict[str, Any]]:
    """`rows` with each memory number and tokens/s divided by the `reference` variant's (1.0 for itself)."""
    ref = next((r for r in rows if r["variant"] == reference), None)
    out = []
    for row in rows:
        row = dict(row)
        if ref is not None:
            row["ratios"] = {key: row[key] / ref[key] for key in
                             ("stored_bytes", "weight_bytes", "footprint_bytes", "peak_bytes")
                             if key in row and ref.get(key)}
            ref_speed = {s["batch_size"]: s["tokens_per_s"] for s in ref.get("speed", [])}
            for s in row.get("speed", []):
                if s["batch_size"] in ref_speed:
                    row["ratios"][f"tokens_per_s_b{s['batch_size']}"] = s["tokens_per_s"] / ref_speed[s["batch_size"]]
        out.append(row)
    return out


def quantized_perplexity(model_dir: str | Path, texts_by_set: Mapping[str, Sequence[str]], *, window: int,
                         max_docs: int | None = None, batch_size: int = 8,
                         device: str | Placement = "cpu", bos: bool = True) -> dict[str, dict[str, Any]]:
    """Perplexity per set of any variant directory, as xuanyuan.train.perplexity.model_perplexity computes it.

    The same windows (documents with a BOS when `bos`, tokenize.bos) and normalisation; only the
    loading differs (quantized layers, their dtype).
    """
    import torch

    from xuanyuan.train.perplexity import perplexity_of

    torch.manual_seed(0)
    model = load_quantized(model_dir, device)
    tokenizer = load_tokenizer(model_dir)
    return {name: perplexity_of(model, tokenizer, list(texts)[:max_docs], window=window, batch_size=batch_size,
                                bos=bos)
            for name, texts in texts_by_set.items()}
