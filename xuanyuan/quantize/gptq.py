"""4-bit GPTQ through GPTQModel on calibration windows from our corpus; reload through GPTQModel.

Why GPTQModel: AutoGPTQ is archived and no longer imports with transformers 5; transformers and
optimum load GPTQ checkpoints through GPTQModel now. On CPU it quantizes with torch kernels.

GPTQModel (7.x) may quantize a module some other way and only log a warning: its default
`fallback` (round-to-nearest when fewer than 0.5% of the calibration samples reach the module, as
with rarely routed MoE experts, or when none do) and, after a NaN loss, "mock quantization" (an
identity Hessian inverse, also round-to-nearest in effect) for that module and every later one.
quantize_gptq records both in quantize.json (`gptq_fallback`); the quantize report flags them.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Iterable, Mapping

import torch

from xuanyuan.quantize.backends import gptqmodel_module
from xuanyuan.quantize.calibration import Calibration
from xuanyuan.quantize.placement import Placement, resolve_device
from xuanyuan.quantize.settings import GPTQSettings

log = logging.getLogger(__name__)


def gptq_config(settings: GPTQSettings, device: str | None = None):
    """GPTQModel's `QuantizeConfig` for `settings`; `device` is where GPTQModel quantizes (None: as it chooses)."""
    gptqmodel = gptqmodel_module()
    # offload_to_disk (GPTQModel's default) leaves the unquantized modules as lazy disk-backed tensors
    # after quantize(): the in-memory model then computes garbage. Our models fit in memory.
    extra = {} if device is None else {"device": device}
    return gptqmodel.QuantizeConfig(bits=settings.bits, group_size=settings.group_size, desc_act=settings.desc_act,
                                    sym=settings.sym, damp_percent=settings.damp_percent, offload_to_disk=False,
                                    **extra)


def _without_compile(model: torch.nn.Module) -> torch.nn.Module:
    """Undo GPTQModel's per-module torch.compile of the dequantization (first compile: ~70 s on CPU)."""
    for module in model.modules():
        if "dequantize_weight" in vars(module):
            del module.dequantize_weight  # the compiled wrapper shadows the plain method
    return model


def _to_inference_format(model: torch.nn.Module) -> torch.nn.Module:
    """Convert freshly packed GPTQ layers from the v1 zero-point format to the v2 one their kernels expect.

    GPTQModel packs into v1 (the checkpoint format) and converts to v2 only when it loads a saved
    directory; it does not support inference right after quantize() (its issue #1583). Converting
    here, after saving, gives the in-memory model the loader would give.
    """
    from gptqmodel.nn_modules.qlinear import BaseQuantLinear
    from gptqmodel.utils.model import convert_gptq_v1_to_v2_format_module

    for module in model.modules():
        if isinstance(module, BaseQuantLinear) and getattr(module, "REQUIRES_FORMAT_V2", False) \
                and module.qzero_format() == 1:
            convert_gptq_v1_to_v2_format_module(module, bits=module.bits, pack_dtype=module.pack_dtype)
            module.qzero_format(format=2)
    return model


def fallback_modules(quant_log: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """The modules GPTQModel quantized with its fallback strategy instead of GPTQ, from its per-module log.

    The log's `loss` column is the only trace: a number for GPTQ, `fallback(rtn): <mean abs error>`
    from the fallback path, `rtn fallback` when no sample reached the module (gptqmodel/quantization/gptq.py).
    """
    return [{"layer": row.get("layer"), "module": row.get("module"), "loss": str(row.get("loss")),
             "samples": row.get("samples")}
            for row in quant_log or () if "fallback" in str(row.get("loss", ""))]


def fallback_record(wrapper: Any) -> dict[str, Any]:
    """quantize.json's `gptq_fallback`: modules not quantized by GPTQ, and whether mock quantization
    (identity Hessian, after a NaN loss) was switched on, from a GPTQModel wrapper after quantize()."""
    config = getattr(wrapper, "quantize_config", None)
    return {"modules": fallback_modules(getattr(wrapper, "quant_log", None)),
            "mock_quantization": bool(getattr(config, "mock_quantization", False))}


def quantize_gptq(source: Path, out: Path, calibration: Calibration, settings: GPTQSettings, *,
                  device: str | Placement = "cpu", record: dict[str, Any] | None = None) -> torch.nn.Module:
    """GPTQ-quantize `source` on `calibration`, save into `out`; returns the quantized model, ready to run.

    On CUDA the layers are quantized one at a time on the first GPU of `device` (GPTQModel keeps the
    unquantized model in CPU memory and moves each layer over); on the CPU as before. `record` (the
    directory's quantize.json) gets `gptq_fallback`: what GPTQModel did not quantize with GPTQ.
    """
    gptqmodel = gptqmodel_module()
    placement = resolve_device(device)
    dtype = getattr(torch, settings.dtype)
    if placement.kind == "cuda":
        # GPTQModel refuses `device` beside QuantizeConfig.device: the quantizing GPU goes in the config.
        wrapper = gptqmodel.GPTQModel.load(str(source), gptq_config(settings, placement.device), dtype=dtype)
    else:
        wrapper = gptqmodel.GPTQModel.load(str(source), gptq_config(settings), device=placement.device, dtype=dtype)
    wrapper.quantize(calibration.samples, batch_size=settings.batch_size)
    fallback = fallback_record(wrapper)
    if fallback["modules"] or fallback["mock_quantization"]:
        log.warning("%s: GPTQModel quantized %d module(s) by round-to-nearest, not GPTQ%s (quantize.json: "
                    "gptq_fallback); more calibration (quantize.gptq.n_samples, seq_length) reaches more modules",
                    source, len(fallback["modules"]),
                    ", and switched to mock quantization after a NaN loss" if fallback["mock_quantization"] else "")
    if record is not None:
        record["gptq_fallback"] = fallback
    wrapper.save(str(out))
    model = _to_inference_format(wrapper.model)
    return (model if settings.compile else _without_compile(model)).eval()


def gptq_device(placement: Placement) -> str:
    """GPTQModel's `device` for loading onto `placement`: "cuda" spreads the layers over every visible GPU."""
    if placement.kind == "cuda" and placement.sharded:
        return "cuda"
    return placement.device


def load_gptq(model_dir: Path, settings: GPTQSettings, *, device: str | Placement = "cpu") -> torch.nn.Module:
    """The Hugging Face model of a GPTQ directory, through GPTQModel's loader with the configured kernel."""
    gptqmodel = gptqmodel_module()
    backend = gptqmodel.BACKEND.TORCH if settings.backend == "torch" else gptqmodel.BACKEND.AUTO
    wrapper = gptqmodel.GPTQModel.load(str(model_dir), device=gptq_device(resolve_device(device)), backend=backend,
                                       dtype=getattr(torch, settings.dtype))
    model = wrapper.model
    return (model if settings.compile else _without_compile(model)).eval()
