"""Quantization: LLM.int8 and NF4 (bitsandbytes), 4-bit GPTQ (GPTQModel) calibrated on our corpus.

Each variant is a Hugging Face directory that `load_quantized` reloads with identical logits.
Details, measured numbers and the proposed config section: docs/quantize.md.
"""

from xuanyuan.quantize.calibration import Calibration, calibration_windows
from xuanyuan.quantize.errors import (
    BackendMissingError, CalibrationError, ModelDirError, QuantizeError, SettingsError, UnsupportedModelError,
)
from xuanyuan.quantize.load import load_quantized, load_tokenizer, recorded_settings
from xuanyuan.quantize.measure import measure_variant, quantized_perplexity, with_ratios
from xuanyuan.quantize.memory import memory_report, peak_memory, stored_bytes, weight_bytes
from xuanyuan.quantize.placement import Placement, gpu_load_kwargs, resolve_device
from xuanyuan.quantize.run import quantize_variant
from xuanyuan.quantize.settings import VARIANTS, QuantizeSettings, quantize_settings, settings_dict, tiny_cpu
from xuanyuan.quantize.speed import generation_speed

__all__ = [
    "BackendMissingError", "Calibration", "CalibrationError", "ModelDirError", "Placement", "QuantizeError",
    "QuantizeSettings",
    "SettingsError", "UnsupportedModelError", "VARIANTS", "calibration_windows", "generation_speed", "gpu_load_kwargs",
    "load_quantized", "load_tokenizer", "measure_variant", "memory_report", "peak_memory", "quantize_settings",
    "quantize_variant", "quantized_perplexity", "recorded_settings", "resolve_device", "settings_dict", "stored_bytes", "tiny_cpu",
    "weight_bytes", "with_ratios",
]
