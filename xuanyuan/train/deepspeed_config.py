"""The DeepSpeed config dict, generated from our settings (never a hand-kept JSON file)."""

from __future__ import annotations

from typing import Any, Mapping

from xuanyuan.train.settings import StageSettings, TrainSettings

PRECISIONS = ("fp32", "bf16", "bf16_autocast")
"""fp32; bf16: DeepSpeed's bf16 (the module cast to bf16, fp32 master weights, moments and gradient
accumulation in its ZeRO/BF16 optimizer); bf16_autocast: DeepSpeed's `torch_autocast` (fp32 weights,
gradients and moments, matrix products in bf16 under torch.autocast, like the HF Trainer's bf16=True).
Both update fp32 weights. In one process a step of one micro-batch moves about the same bytes per
parameter in both (bench/optimizer_traffic.py: bf16's optimizer side more, its forward and backward
less); bf16 stores less activation memory and gathers half-size weights under ZeRO-3."""

# The dtype the matrix products run in, for each precision (peak TFLOP/s, MFU).
COMPUTE_PRECISION = {"fp32": "fp32", "bf16": "bf16", "bf16_autocast": "bf16"}


# DeepSpeed's communication buckets (elements) for a model with more trainable parameters than this.
BUCKET_ELEMENTS = 50_000_000

# Keys of the generated config that other settings decide: `pretrain.deepspeed` may not set them.
DERIVED_KEYS = {
    "train_micro_batch_size_per_gpu": "the stage's micro_batch",
    "gradient_accumulation_steps": "the stage's grad_accum",
    "train_batch_size": "the stage's micro_batch and grad_accum (times the processes)",
    "gradient_clipping": "pretrain.grad_clip",
    "optimizer": "pretrain.weight_decay, betas, eps and the stage's lr",
    "scheduler": "pretrain.scheduler and the stage's warmup_steps and min_lr_ratio (the schedule is ours)",
    "fp16": "pretrain.precision (fp16 is not offered)",
    "bf16.enabled": "pretrain.precision",
    "torch_autocast.enabled": "pretrain.precision (bf16_autocast)",
    "torch_autocast.dtype": "pretrain.precision (bf16_autocast)",
    "zero_optimization.stage": "pretrain.zero_stage",
    "data_types.grad_accum_dtype": "nothing: bf16 gradients are always accumulated in fp32",
    "checkpoint.load_universal": "pretrain.resume_across_world_sizes (set for the run that resumes at another world size)",
}


def deepspeed_config(train: TrainSettings, stage: StageSettings, world_size: int, *, on_cuda: bool,
                     trainable_params: int | None = None, load_universal: bool = False) -> dict[str, Any]:
    """ZeRO stage, precision, AdamW, clipping and batch sizes for one stage (the lr schedule is ours:
    xuanyuan.train.schedule, passed to `deepspeed.initialize`).

    trainable_params: caps the ZeRO buckets at the model's gradient size. ZeRO 1/2 allocate a fresh
    bucket every step; a 5e7-element one for a 2M-parameter model cost a third of each CPU step
    (page faults of 200 MB) in the default run.
    load_universal: the run resumes a checkpoint of another world size from its universal form
    (xuanyuan.train.reshard).
    """
    if train.precision not in PRECISIONS:
        raise ValueError(f"pretrain.precision = {train.precision!r}: use fp32, bf16 or bf16_autocast "
                         "(fp16 loses range; not offered)")
    if train.zero_stage not in (0, 1, 2, 3):
        raise ValueError(f"pretrain.zero_stage = {train.zero_stage}: use 0, 1, 2 or 3")
    bf16 = train.precision == "bf16"
    problems = precision_problems(train.precision, train.zero_stage) + refused_overrides(train.deepspeed)
    if problems:
        raise ValueError("; ".join(problems))
    config: dict[str, Any] = {
        "train_micro_batch_size_per_gpu": stage.micro_batch,
        "gradient_accumulation_steps": stage.grad_accum,
        "train_batch_size": stage.micro_batch * stage.grad_accum * world_size,
        "gradient_clipping": train.grad_clip,
        # immediate_grad_update: the BF16 optimizer adds each bf16 gradient into its fp32 buffer as the
        # backward produces it and frees it, instead of holding all of them to the end of the backward
        # (bench/optimizer_traffic.py --memory: 2 bytes per parameter less at the step's peak, the
        # same weights bit for bit, tests/train/test_reduction.py).
        "bf16": {"enabled": True, "immediate_grad_update": True} if bf16 else {"enabled": False},
        "fp16": {"enabled": False},
        "zero_optimization": _zero(train.zero_stage, on_cuda, _bucket_elements(trainable_params)),
        "optimizer": {
            "type": "AdamW",
            "params": {
                "lr": stage.lr,
                "betas": list(train.betas),
                "eps": train.eps,
                "weight_decay": train.weight_decay,
                # torch's AdamW, on CUDA its fused kernel (one launch per step, like DeepSpeed's FusedAdam):
                # DeepSpeed's own fused Adam is compiled on first use, which needs nvcc matching torch's
                # CUDA on every node, and its CPU build needs a compiler.
                "torch_adam": True,
                "fused": on_cuda,
                "adam_w_mode": True,
            },
        },
        # We log ourselves (xuanyuan.train.metrics); DeepSpeed's own prints would interleave with the bar.
        "steps_per_print": 10**9,
        "wall_clock_breakdown": False,
    }
    if bf16:
        # Accumulate micro-batch gradients in fp32: bf16 sums lose the small ones.
        config["data_types"] = {"grad_accum_dtype": "fp32"}
    if load_universal:
        config["checkpoint"] = {"load_universal": True}
    if train.precision == "bf16_autocast":
        # The engine's forward runs under torch.autocast; the weights, their gradients and the
        # optimizer stay fp32, so no master copy and no fp32 accumulation buffer beside them.
        config["torch_autocast"] = {"enabled": True, "dtype": "bfloat16"}
    return merged(config, train.deepspeed)


def precision_problems(precision: str, zero_stage: int) -> list[str]:
    """bf16 without ZeRO: DeepSpeed keeps fp32 master weights and accumulates bf16 gradients in fp32
    only in its ZeRO (or BF16) optimizer, and refuses the mix otherwise ("unsupported mix of model_dtype")."""
    if precision == "bf16" and zero_stage == 0:
        return ["pretrain.precision bf16 needs pretrain.zero_stage >= 1: DeepSpeed keeps fp32 master "
                "weights and accumulates bf16 gradients in fp32 only in its ZeRO optimizer (with one process "
                "ZeRO-1 partitions nothing); set zero_stage to 1, 2 or 3, or precision: fp32"]
    return []


def refused_overrides(overrides: Mapping[str, Any], prefix: str = "") -> list[str]:
    """What `pretrain.deepspeed` may not set: the keys other settings decide (DERIVED_KEYS)."""
    problems = []
    for key, value in (overrides or {}).items():
        path = f"{prefix}{key}"
        if path in DERIVED_KEYS:
            problems.append(f"pretrain.deepspeed.{path} is set by the pipeline from {DERIVED_KEYS[path]}; "
                            "set that instead")
        elif isinstance(value, Mapping):
            problems += refused_overrides(value, f"{path}.")
    return problems


def merged(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """`base` with `overrides` laid over it, nested mappings key by key."""
    out = dict(base)
    for key, value in (overrides or {}).items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merged(out[key], value)
        else:
            out[key] = value
    return out


def _bucket_elements(trainable_params: int | None) -> int:
    if trainable_params is None:
        return BUCKET_ELEMENTS
    return max(1, min(BUCKET_ELEMENTS, trainable_params))


def _zero(stage: int, on_cuda: bool, bucket: int) -> dict[str, Any]:
    zero: dict[str, Any] = {"stage": stage}
    if stage >= 1:
        zero.update({
            "contiguous_gradients": True,
            # Overlapping communication needs CUDA streams; on CPU it only adds buffers.
            "overlap_comm": on_cuda,
            "reduce_bucket_size": bucket,
            "allgather_bucket_size": bucket,
        })
    if stage == 3:
        # The export gathers one parameter at a time itself (xuanyuan.train.export).
        zero["stage3_gather_16bit_weights_on_model_save"] = False
        zero["stage3_param_persistence_threshold"] = 1e4
    return zero
