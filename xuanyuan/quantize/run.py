"""What a rule calls: make one variant's directory from a model directory, with its record."""

from __future__ import annotations

import json
import logging
import shutil
import time
from pathlib import Path
from typing import Any, Iterable

import torch

from xuanyuan.quantize.errors import QuantizeError
from xuanyuan.quantize.load import SIDECAR
from xuanyuan.quantize.modeldir import carry_source_files, model_config, quant_method
from xuanyuan.quantize.placement import Placement, load_kwargs, resolve_device
from xuanyuan.quantize.settings import QuantizeSettings, VARIANTS, settings_dict

log = logging.getLogger(__name__)


def _versions() -> dict[str, str]:
    """Versions of the packages that shape a quantized directory (recorded for reproducibility)."""
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("torch", "transformers", "bitsandbytes", "gptqmodel"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            pass
    return out


def quantize_variant(variant: str, source: str | Path, out: str | Path, settings: QuantizeSettings, *,
                     calibration_texts: Iterable[str] | None = None,
                     device: str | Placement | None = None, bos: bool = True) -> torch.nn.Module:
    """Write `out`, the `variant` (bf16 | int8 | gptq4 | nf4) of Llama directory `source`; returns the model.

    `device`: "cpu", "cuda", "cuda:N", "auto" or a resolved Placement; None = `settings.device`
    (several GPUs: the model is spread over them; GPTQ quantizes on the first).

    gptq4 needs `calibration_texts` (training documents, held-out excluded), laid out with a BOS first
    when `bos` (tokenize.bos), as training stored them. The directory is built
    beside `out` and moved into place at the end, so a killed job never leaves a half-written model.
    """
    if variant not in VARIANTS:
        raise QuantizeError(f"unknown quantize variant {variant!r}; use one of {list(VARIANTS)}")
    source, out = Path(source), Path(out)
    placement = resolve_device(settings.device if device is None else device, key="quantize.device")
    config = model_config(source)
    if quant_method(config) != "bf16":
        raise QuantizeError(f"{source / 'config.json'}: already quantized ({quant_method(config)}); "
                            f"quantize the unquantized model directory instead")
    staging = out.with_name(out.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    started = time.perf_counter()
    record: dict[str, Any] = {"variant": variant, "source": str(source), "settings": settings_dict(settings)}
    model = _make(variant, source, staging, settings, calibration_texts, placement, record, bos)
    carry_source_files(source, staging)
    record.update(seconds=round(time.perf_counter() - started, 3), device=str(placement), versions=_versions())
    (staging / SIDECAR).write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    log.info("quantize %s: %s -> %s in %.1f s", variant, source, out, record["seconds"])
    return model


def _make(variant: str, source: Path, out: Path, settings: QuantizeSettings, texts: Iterable[str] | None,
          device: Placement, record: dict[str, Any], bos: bool) -> torch.nn.Module:
    """Run the backend of `variant` writing into `out`; adds what it measured to `record`."""
    if variant == "bf16":
        from transformers import AutoModelForCausalLM

        if device.kind == "cuda":
            model = AutoModelForCausalLM.from_pretrained(source, dtype=torch.bfloat16, **load_kwargs(device)).eval()
        else:
            model = AutoModelForCausalLM.from_pretrained(source, dtype=torch.bfloat16).to(device.device).eval()
        model.save_pretrained(out)
        return model
    if variant in ("int8", "nf4"):
        from xuanyuan.quantize.bnb import quantize_bnb

        return quantize_bnb(source, out, variant, settings.int8 if variant == "int8" else settings.nf4, device=device)
    from transformers import AutoTokenizer

    from xuanyuan.quantize.calibration import calibration_windows
    from xuanyuan.quantize.gptq import quantize_gptq

    if texts is None:
        raise QuantizeError("quantize variant gptq4 needs calibration texts (training documents); none were given")
    g = settings.gptq
    calibration = calibration_windows(texts, AutoTokenizer.from_pretrained(source), n_samples=g.n_samples,
                                      seq_length=g.seq_length, seed=g.seed, bos=bos)
    record["calibration"] = calibration.stats()
    return quantize_gptq(source, out, calibration, g, device=device, record=record)
