"""4-bit GPTQ through GPTQModel on calibration windows from our corpus; reload through GPTQModel.

Why GPTQModel: AutoGPTQ is archived and no longer imports with transformers 5; transformers and
optimum load GPTQ checkpoints through GPTQModel now. On CPU it quantizes with torch kernels.
"""

from __future__ import annotations

import logging
from pathlib import Path

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


def quantize_gptq(source: Path, out: Path, calibration: Calibration, settings: GPTQSettings, *,
                  device: str | Placement = "cpu") -> torch.nn.Module:
    """GPTQ-quantize `source` on `calibration`, save into `out`; returns the quantized model, ready to run.

    On CUDA the layers are quantized one at a time on the first GPU of `device` (GPTQModel keeps the
    unquantized model in CPU memory and moves each layer over); on the CPU as before.
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
