"""Quantization settings as frozen dataclasses, filled from the validated `quantize` config section.

The defaults below are the tiny default run's values and the proposed schema defaults
(docs/quantize.md); code that builds settings by hand (tests, bench/generation.py) gets them.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from xuanyuan.quantize.errors import SettingsError

VARIANTS = ("bf16", "int8", "gptq4", "nf4")
"""bf16: the unquantized reference; int8: LLM.int8 (bitsandbytes); gptq4: GPTQ (GPTQModel); nf4: bitsandbytes NF4."""

DTYPES = ("float16", "bfloat16", "float32")
DEVICE_PATTERN = re.compile(r"auto|cpu|mps|cuda(:[0-9]+)?")


@dataclass(frozen=True)
class Int8Settings:
    """LLM.int8 through bitsandbytes."""

    threshold: float = 6.0
    """outlier threshold: activation columns above it run in 16-bit (LLM.int8's mixed decomposition)."""
    dtype: str = "float16"
    """dtype of the layers left unquantized; float16 because bitsandbytes' int8 matmul casts its inputs to it."""


@dataclass(frozen=True)
class GPTQSettings:
    """4-bit GPTQ through GPTQModel, calibrated on our own corpus."""

    bits: int = 4
    group_size: int = 128
    """columns sharing one scale and zero; -1 = one group per row."""
    desc_act: bool = True
    """act-order: quantize columns in order of decreasing Hessian diagonal."""
    sym: bool = True
    damp_percent: float = 0.05
    n_samples: int = 32
    """calibration windows drawn from the corpus (the GPTQ paper: 128)."""
    seq_length: int = 256
    """tokens per calibration window (the GPTQ paper: 2048)."""
    seed: int = 0
    """seed of the window sampling."""
    batch_size: int = 1
    """calibration windows per forward pass while quantizing."""
    dtype: str = "float16"
    """compute dtype while quantizing and loading; float16 keeps GPTQ's fp16 scales exact on reload."""
    backend: str = "torch"
    """GPTQModel kernel when loading: torch (the kernel quantization packs with: reload identical) | auto
    (GPTQModel's fastest for the device: aten int4 on CPU, Marlin on CUDA; logits within ~1% of torch)."""
    compile: bool = False
    """torch.compile the dequantization (GPTQModel's default); costs ~70 s per fresh process on CPU."""


@dataclass(frozen=True)
class NF4Settings:
    """bitsandbytes 4-bit NormalFloat, the second 4-bit option."""

    quant_type: str = "nf4"
    """nf4 | fp4."""
    double_quant: bool = True
    """quantize the absmax constants too; without it NF4 weights change on a CPU save/reload."""
    compute_dtype: str = "bfloat16"
    dtype: str = "bfloat16"
    """dtype of the layers left unquantized."""


@dataclass(frozen=True)
class SpeedSettings:
    """Generation speed measurement."""

    batch_sizes: tuple[int, ...] = (1, 8)
    new_tokens: int = 32
    """tokens generated per sequence (greedy, no early stop)."""
    prompt_tokens: int = 32
    repeats: int = 2
    """timed runs after one warm-up; the best is kept."""


@dataclass(frozen=True)
class QuantizeSettings:
    """The `quantize` config section."""

    variants: tuple[str, ...] = VARIANTS
    device: str = "auto"
    """where quantization and its measurements run: auto (CUDA when torch sees a GPU, every visible
    GPU; else the CPU) | cpu | cuda | cuda:N (xuanyuan.quantize.placement)."""
    int8: Int8Settings = field(default_factory=Int8Settings)
    gptq: GPTQSettings = field(default_factory=GPTQSettings)
    nf4: NF4Settings = field(default_factory=NF4Settings)
    speed: SpeedSettings = field(default_factory=SpeedSettings)


_NESTED = {"int8": Int8Settings, "gptq": GPTQSettings, "nf4": NF4Settings, "speed": SpeedSettings}
_TUPLES = {"variants", "batch_sizes"}


def _build(cls: type, values: Mapping[str, Any] | None, where: str) -> Any:
    """Dataclass `cls` from a config mapping; an unknown key is an error naming it and the known ones."""
    values = dict(values or {})
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - names)
    if unknown:
        raise SettingsError(f"config {where}: unknown key(s) {unknown}; known: {sorted(names)}")
    for key in _TUPLES & set(values):
        values[key] = tuple(values[key])
    return cls(**values)


def _check(settings: QuantizeSettings) -> QuantizeSettings:
    """Reject values the backends would only fail on later, naming the key and what is allowed."""
    bad = [v for v in settings.variants if v not in VARIANTS]
    if bad:
        raise SettingsError(f"config quantize.variants: unknown {bad}; use any of {list(VARIANTS)}")
    if not DEVICE_PATTERN.fullmatch(str(settings.device)):
        raise SettingsError(f"config quantize.device = {settings.device!r}: use auto, cpu, cuda or cuda:N")
    for key, value in (("int8.dtype", settings.int8.dtype), ("gptq.dtype", settings.gptq.dtype),
                       ("nf4.dtype", settings.nf4.dtype), ("nf4.compute_dtype", settings.nf4.compute_dtype)):
        if value not in DTYPES:
            raise SettingsError(f"config quantize.{key} = {value!r}: use one of {list(DTYPES)}")
    g = settings.gptq
    if g.bits not in (2, 3, 4, 8):
        raise SettingsError(f"config quantize.gptq.bits = {g.bits}: GPTQ packs 2, 3, 4 or 8 bits")
    if g.group_size != -1 and g.group_size < 1:
        raise SettingsError(f"config quantize.gptq.group_size = {g.group_size}: use a positive size or -1")
    if g.n_samples < 1 or g.seq_length < 8:
        raise SettingsError("config quantize.gptq: n_samples must be >= 1 and seq_length >= 8")
    if g.backend not in ("torch", "auto"):
        raise SettingsError(f"config quantize.gptq.backend = {g.backend!r}: use torch or auto")
    if settings.nf4.quant_type not in ("nf4", "fp4"):
        raise SettingsError(f"config quantize.nf4.quant_type = {settings.nf4.quant_type!r}: use nf4 or fp4")
    if not settings.speed.batch_sizes or min(settings.speed.batch_sizes) < 1 or settings.speed.new_tokens < 1:
        raise SettingsError("config quantize.speed: batch_sizes must be positive and new_tokens >= 1")
    return settings


def quantize_settings(section: Mapping[str, Any] | None) -> QuantizeSettings:
    """`QuantizeSettings` from the `quantize` config section (missing keys keep their defaults)."""
    values = dict(section or {})
    for key, cls in _NESTED.items():
        if key in values:
            values[key] = _build(cls, values[key], f"quantize.{key}")
    return _check(_build(QuantizeSettings, values, "quantize"))


def settings_dict(settings: Any) -> dict[str, Any]:
    """JSON-ready dict of a settings dataclass (written into every quantized directory)."""
    return dataclasses.asdict(settings)


def tiny_cpu() -> QuantizeSettings:
    """The CI preset: few short calibration windows, small groups, short generations."""
    return QuantizeSettings(
        gptq=GPTQSettings(group_size=32, n_samples=16, seq_length=64),
        speed=SpeedSettings(new_tokens=8, prompt_tokens=8, repeats=1),
    )
