"""Training settings as dataclasses, filled from the validated `model` and `pretrain` config sections.

Every field has its default in config/schema.yaml; the dataclass defaults below are the same
values, so code that builds settings by hand (tests, the benchmark) gets the tiny default run.
Named presets are functions (`tiny_cpu`), derived by `dataclasses.replace`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Mapping


@dataclass(frozen=True)
class StandinSizes:
    """Shape of the stand-in base Llama (used when `model.path` is null)."""

    hidden_size: int = 128
    num_layers: int = 4
    num_heads: int = 4
    num_kv_heads: int = 4
    intermediate_size: int = 352
    max_position_embeddings: int = 2048
    rope_theta: float = 10000.0
    rms_norm_eps: float = 1e-5
    tie_embeddings: bool = False


@dataclass(frozen=True)
class ContextSettings:
    """Positions of a given base model (`model.path`) when training beyond its context."""

    max_position_embeddings: int | None = None
    """positions the trained model covers (also the fp32 RoPE table); None = the base's."""
    rope_theta: float | None = None
    """RoPE base frequency; None = the base's."""
    rope_linear_factor: float | None = None
    """linear position interpolation factor; None = none."""


LIGER_KERNELS = ("rms_norm", "swiglu", "rope", "fused_linear_cross_entropy")
"""Liger kernels `model.fused_kernels` can turn on (xuanyuan.train.model.apply_fused_kernels)."""


@dataclass(frozen=True)
class ModelSettings:
    """Which base model, and how its layers run."""

    path: str | None = None
    """Hugging Face directory of the base model (Llama-2); None = the stand-in below."""
    standin: StandinSizes = field(default_factory=StandinSizes)
    attn_implementation: str = "auto"
    """auto | sdpa | eager | flash_attention_2 | torch_varlen; auto on CUDA = FlashAttention-2 when importable,
    else torch_varlen (PyTorch's varlen flash kernel); on CPU = SDPA."""
    fused_kernels: str = "auto"
    """auto | on | off: the Liger kernels of `liger_kernels`; auto = when liger_kernel is installed and on CUDA."""
    liger_kernels: tuple[str, ...] = LIGER_KERNELS
    """which of Liger's kernels `fused_kernels` turns on."""
    context: ContextSettings = field(default_factory=ContextSettings)


@dataclass(frozen=True)
class Restart:
    """Go on from the checkpoint of step `from_step` another way: the recovery from a loss spike or a
    divergence of large runs (PaLM, Chowdhery et al. 2022, sec. 5.1: restart about 100 steps before
    the spike and skip 200-500 batches; OPT-175B's logbook: restart with a lower lr).

    A run applies it at that step whether it resumes there or trains through it, so the stage's result
    is a function of its config: the same with a restart as with the run that was rewound."""

    from_step: int
    """the steps done when it applies (a checkpoint's step: the stage rewinds to the newest checkpoint at or before it)."""
    skip_steps: int = 0
    """the next steps' samples are skipped, never trained on; the step count and the lr schedule go on past
    them, so the stage still ends at `steps` on its data plan."""
    lr_scale: float = 1.0
    """the schedule's lr from here on is multiplied by it (and by the lr_scale of any earlier restart)."""


@dataclass(frozen=True)
class StageSettings:
    """One training run over the data: the stand-in base, stage 1, stage 2 or SFT."""

    steps: int = 50
    lr: float = 1e-3
    min_lr_ratio: float = 0.1
    """lr at the end of the schedule, as a fraction of `lr`."""
    warmup_steps: int = 5
    seq_length: int = 256
    micro_batch: int = 4
    grad_accum: int = 1
    trainable: str = "all"
    """all | embeddings (embed_tokens + lm_head only; stage 1)."""
    restarts: tuple[Restart, ...] = ()
    """in order of from_step (docs/pretrain.md, "Rewinding a stage")."""

    def lr_scale(self, step: int) -> float:
        """The product of the lr_scale of every restart at or before optimizer step `step` (0-based)."""
        scale = 1.0
        for restart in self.restarts:
            if restart.from_step <= step:
                scale *= restart.lr_scale
        return scale

    def restart_at(self, step: int) -> Restart | None:
        return next((r for r in self.restarts if r.from_step == step), None)


@dataclass(frozen=True)
class PerplexitySettings:
    max_docs: int = 200
    """held-out documents per set (zh, en, finance)."""
    window: int = 256
    """tokens per evaluation window."""
    batch_size: int = 8
    english_tolerance: float = 0.1
    """relative rise of English per-character perplexity from base to stage 2 still counted as holding."""


@dataclass(frozen=True)
class ValidationSettings:
    """Held-out perplexity during a pretraining stage (xuanyuan.train.validation; docs/pretrain.md)."""

    every: int = 0
    """steps between evaluations (and at a stage's last step); 0 = none. A multiple of log_every."""
    max_docs: int = 16
    """held-out documents per set (zh, en, finance); windows and batch size are pretrain.perplexity's."""


@dataclass(frozen=True)
class SpikeSettings:
    """When a step's loss or gradient norm counts as a spike (xuanyuan.train.spikes; docs/pretrain.md)."""

    enabled: bool = True
    window: int = 100
    """steps before a step that it is compared with (no step is checked before the window is full)."""
    threshold: float = 6.0
    """robust standard deviations (1.4826 x MAD) above the window's median."""
    min_rise: float = 0.1
    """and at least this much above the median, relative (a window without noise flags no small rise)."""
    keep_checkpoint: bool = True
    """keep the newest checkpoint from before each spike past keep_checkpoints (to rewind to)."""
    stop_after: int | None = None
    """stop the run once a loss spike has lasted this many steps (SpikeDidNotSettle); None = only warn."""


TRAINING_STAGES = ("base_standin", "stage1", "stage2", "sft1", "sft2")


@dataclass(frozen=True)
class ActivationCheckpointing:
    """Recompute decoder layers in the backward pass instead of storing their activations (train/activations.py)."""

    enabled: bool = False
    every_n_layers: int = 1
    """checkpoint layers 0, n, 2n, ...; the others keep their activations (1 = every layer)."""
    offload: bool = False
    """keep the checkpointed layers' inputs in (pinned) host memory instead of on the GPU."""


@dataclass(frozen=True)
class TrainSettings:
    """What is common to every stage: the engine, precision, logging and checkpoints."""

    base_standin: StageSettings = field(default_factory=lambda: StageSettings(steps=300, lr=3e-3, warmup_steps=20))
    stage1: StageSettings = field(default_factory=lambda: StageSettings(steps=60, lr=2e-3, trainable="embeddings"))
    stage2: StageSettings = field(default_factory=lambda: StageSettings(steps=120, lr=1e-3))
    # The SFT stages run on the same trainer; their settings come from the `sft` config section.
    sft1: StageSettings = field(default_factory=lambda: StageSettings(steps=30, lr=5e-4, warmup_steps=3, seq_length=512,
                                                                      micro_batch=2))
    sft2: StageSettings = field(default_factory=lambda: StageSettings(steps=30, lr=3e-4, warmup_steps=3, seq_length=512,
                                                                      micro_batch=2))
    zero_stage: int = 2
    precision: str = "fp32"
    """fp32 | bf16 (DeepSpeed bf16: bf16 weights and activations, fp32 master weights in the optimizer) |
    bf16_autocast (DeepSpeed torch_autocast: fp32 weights, bf16 matrix products); see deepspeed_config.PRECISIONS."""
    grad_clip: float = 1.0
    weight_decay: float = 0.1
    betas: tuple[float, float] = (0.9, 0.95)
    eps: float = 1e-8
    scheduler: str = "cosine"
    """cosine | linear | constant, each after a linear warmup."""
    log_every: int = 10
    checkpoint_every: int = 50
    keep_checkpoints: int = 2
    resume_across_world_sizes: bool = False
    """resume a stage's checkpoint at another number of ranks, through DeepSpeed's universal checkpoint
    (xuanyuan.train.reshard); off, such a run stops and says how to go on."""
    seed: int = 1
    processes: int = 2
    """processes on CPU (one per device on CUDA)."""
    deterministic: bool = True
    """torch deterministic algorithms (exact resume on CPU; slower kernels on GPU)."""
    peak_tflops: float | None = None
    """peak TFLOP/s of one device for MFU; None = the table in xuanyuan.train.flops."""
    export_dtype: str = "fp32"
    """fp32 | bf16: dtype of the exported weights (fp32 keeps the optimizer's master weights exactly)."""
    pad_rows: str = "mean"
    """mean | zeros: initial value of the padding rows of a resized vocabulary."""
    perplexity: PerplexitySettings = field(default_factory=PerplexitySettings)
    activation_checkpointing: ActivationCheckpointing = field(default_factory=ActivationCheckpointing)
    spikes: SpikeSettings = field(default_factory=SpikeSettings)
    validation: ValidationSettings = field(default_factory=ValidationSettings)
    deepspeed: Mapping[str, Any] = field(default_factory=dict)
    """extra DeepSpeed config keys merged over the generated config (xuanyuan.train.deepspeed_config)."""

    def stage(self, name: str) -> StageSettings:
        """The settings of stage `name` (one of TRAINING_STAGES)."""
        if name not in TRAINING_STAGES:
            raise ValueError(f"unknown training stage {name!r}: use one of {', '.join(TRAINING_STAGES)}")
        return getattr(self, name)


def _build(cls: type, values: Mapping[str, Any] | None, nested: Mapping[str, type] = {}) -> Any:
    """Dataclass `cls` from a config mapping; unknown keys are an error naming the key."""
    values = dict(values or {})
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - names)
    if unknown:
        raise ValueError(f"{cls.__name__}: unknown config key(s) {unknown}; known: {sorted(names)}")
    for key, sub in nested.items():
        if key in values and isinstance(values[key], Mapping):
            values[key] = _build(sub, values[key])
    for key in ("betas", "liger_kernels"):  # lists in YAML/JSON, tuples in the frozen dataclasses
        if key in values:
            values[key] = tuple(values[key])
    return cls(**values)


def model_settings(section: Mapping[str, Any] | None) -> ModelSettings:
    """`ModelSettings` from the `model` config section."""
    return _build(ModelSettings, section, {"standin": StandinSizes, "context": ContextSettings})


def train_settings(section: Mapping[str, Any] | None) -> TrainSettings:
    """`TrainSettings` from the `pretrain` config section (plus `sft1`/`sft2` for the SFT stages)."""
    defaults = TrainSettings()
    values = dict(section or {})
    # A stage given partially keeps the defaults of the fields it does not set.
    for name in TRAINING_STAGES:
        if name in values:
            stage = dict(values[name])
            _build(StageSettings, stage)  # names an unknown key before replace() would
            if "restarts" in stage:
                stage["restarts"] = restarts(name, stage["restarts"], stage.get("steps", getattr(defaults, name).steps))
            values[name] = dataclasses.replace(getattr(defaults, name), **stage)
    return _build(TrainSettings, values, {"perplexity": PerplexitySettings,
                                          "activation_checkpointing": ActivationCheckpointing,
                                          "spikes": SpikeSettings, "validation": ValidationSettings})


def restarts(stage: str, entries: Any, steps: int) -> tuple[Restart, ...]:
    """A stage's `restarts` from the config, checked: in order, each inside the stage and after the
    previous one's skipped steps."""
    result: list[Restart] = []
    for i, entry in enumerate(entries or ()):
        where = f"{stage}.restarts[{i}]"
        restart = entry if isinstance(entry, Restart) else _build(Restart, entry)
        if not 0 <= restart.from_step < steps or restart.skip_steps < 0 or restart.lr_scale <= 0:
            raise ValueError(f"{where} = {entry}: from_step must be a step of the stage (0 to {steps - 1}), "
                             "skip_steps >= 0 and lr_scale > 0")
        if restart.from_step + restart.skip_steps > steps:
            raise ValueError(f"{where}: skipping {restart.skip_steps} steps from step {restart.from_step} passes "
                             f"the stage's {steps} steps")
        if result and (restart.from_step <= result[-1].from_step
                       or restart.from_step < result[-1].from_step + result[-1].skip_steps):
            raise ValueError(f"{where}: from_step {restart.from_step} must come after the previous restart's "
                             f"step and its skipped steps ({result[-1].from_step} + {result[-1].skip_steps}); "
                             "list them in order")
        result.append(restart)
    return tuple(result)


def settings_dict(settings: Any) -> dict[str, Any]:
    """JSON-ready dict of a settings dataclass (saved next to every checkpoint)."""
    return dataclasses.asdict(settings)


def tiny_cpu() -> tuple[ModelSettings, TrainSettings]:
    """The CI preset: a 2-layer, 64-wide Llama and a few steps per stage, one process."""
    model = ModelSettings(standin=StandinSizes(hidden_size=64, num_layers=2, num_heads=4, num_kv_heads=2,
                                               intermediate_size=128, max_position_embeddings=16384))
    small = dict(steps=6, seq_length=32, micro_batch=2, warmup_steps=1)
    train = TrainSettings(
        base_standin=StageSettings(lr=3e-3, **small),
        stage1=StageSettings(lr=2e-3, trainable="embeddings", **small),
        stage2=StageSettings(lr=1e-3, **small),
        log_every=1, checkpoint_every=3, processes=1, zero_stage=2,
    )
    return model, train
