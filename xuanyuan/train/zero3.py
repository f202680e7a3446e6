"""ZeRO-3 model construction: the model is partitioned while it is built, never whole on any rank.

With `pretrain.zero_stage: 3` the trainer builds the model inside `deepspeed.zero.Init`: every
module's parameters are partitioned across the ranks as soon as the module's `__init__` returns,
so a rank holds its 1/world_size share of each parameter plus, for a moment, one module's full
parameters. Everything that reads or writes whole parameters before the engine exists (the
vocabulary resize, the fp32 copy of frozen weights, the parameter counts) gathers one parameter
(or one module) at a time with `deepspeed.zero.GatheredParameters`.

Construction runs in fp32 whatever `pretrain.precision` says: `construction_config` is the engine's
config with its bf16 section off, so that the resize means and the frozen-weight copies are exact
fp32 values, as on the unpartitioned path. Under bf16, `cast_partitions` then casts every rank's
partitions to bf16 right before `deepspeed.initialize`, which is what the engine does to an
unpartitioned module (it does not cast a model built under zero.Init).
"""

from __future__ import annotations

import contextlib
import copy
import resource
from typing import Any, Iterable, Iterator

import torch
from torch import nn

CONSTRUCTION_DTYPE = torch.float32


def is_partitioned(param: torch.Tensor) -> bool:
    """Whether `param` is a ZeRO-3 parameter (its data lives in per-rank partitions)."""
    return hasattr(param, "ds_id")


def full_numel(param: torch.Tensor) -> int:
    """Elements of the whole parameter, partitioned or not."""
    return param.ds_numel if hasattr(param, "ds_numel") else param.numel()


def full_shape(param: torch.Tensor) -> torch.Size:
    """Shape of the whole parameter (a partitioned one's `.shape` is its empty placeholder's)."""
    return param.ds_shape if hasattr(param, "ds_shape") else param.shape


def gathered(params: Iterable[torch.Tensor], modifier_rank: int | None = None):
    """`GatheredParameters` over the partitioned ones among `params` (a no-op context when none is)."""
    params = [p for p in params if is_partitioned(p)]
    if not params:
        return contextlib.nullcontext()
    import deepspeed

    return deepspeed.zero.GatheredParameters(params, modifier_rank=modifier_rank)


def construction_config(ds_config: dict[str, Any]) -> dict[str, Any]:
    """The engine's DeepSpeed config as zero.Init reads it: the same dict with 16-bit sections off (fp32 partitions)."""
    config = copy.deepcopy(ds_config)
    config["bf16"] = {**config.get("bf16", {}), "enabled": False}
    config["fp16"] = {**config.get("fp16", {}), "enabled": False}
    return config


@contextlib.contextmanager
def hf_zero3(config: dict[str, Any]) -> Iterator[None]:
    """Transformers' DeepSpeed integration switched on for the block (`from_pretrained` builds under zero.Init).

    Transformers finds the config through a weak reference to a live `HfDeepSpeedConfig`; the
    object is kept alive for the block and the reference is cleared after it, so a later
    unpartitioned model in the same process (tests, a ZeRO-2 stage) loads normally.
    """
    from transformers.integrations.deepspeed import HfDeepSpeedConfig, unset_hf_deepspeed_config

    keep_alive = HfDeepSpeedConfig(config)
    try:
        yield
    finally:
        unset_hf_deepspeed_config()
        del keep_alive


@contextlib.contextmanager
def gathered_weight_init() -> Iterator[None]:
    """Hugging Face's weight init (`post_init`) on gathered parameters, one module at a time, on every rank.

    A model's `post_init` re-initialises its submodules after they were built, i.e. after zero.Init
    has partitioned them, so it would write into empty placeholders (and fails on the embedding's
    padding row). Here each module's own parameters are gathered around its init; every rank runs
    it, so each rank's RNG advances exactly as on the unpartitioned path, and rank 0's values are
    kept (they are every rank's: same seed). Hence the same weights, bit for bit, as without zero.Init.
    """
    from transformers.modeling_utils import PreTrainedModel

    original = PreTrainedModel._initialize_weights

    def initialize_gathered(self, module, is_custom_code: bool = False):
        if getattr(module, "_is_hf_initialized", False):
            return original(self, module, is_custom_code)
        with gathered(module.parameters(recurse=False), modifier_rank=0):
            return original(self, module, is_custom_code)

    PreTrainedModel._initialize_weights = initialize_gathered
    try:
        yield
    finally:
        PreTrainedModel._initialize_weights = original


def partitioned_construction(config: dict[str, Any]):
    """zero.Init for building modules with a `construction_config`: fp32 partitions, the config's persistence settings.

    The dtype comes from the config (16-bit sections off = fp32): zero.Init's own `dtype=` argument
    is ignored on an accelerator without fp16 (DeepSpeed 0.19 then picks bf16, e.g. on CPU).
    """
    import deepspeed

    if config.get("bf16", {}).get("enabled") or config.get("fp16", {}).get("enabled"):
        raise ValueError("partitioned_construction needs a construction_config (16-bit sections off)")
    return deepspeed.zero.Init(config_dict_or_path=config)


def new_partitioned_parameter(shape: tuple[int, int], config: dict[str, Any], *, requires_grad: bool) -> nn.Parameter:
    """An uninitialised fp32 parameter of `shape`, partitioned like the model's (no RNG drawn)."""
    with partitioned_construction(config):
        # `_weight` skips nn.Embedding's random init; zero.Init partitions the parameter when __init__ returns.
        holder = nn.Embedding(shape[0], shape[1], _weight=torch.empty(shape, dtype=CONSTRUCTION_DTYPE))
    param = holder.weight
    param.requires_grad_(requires_grad)
    return param


@torch.no_grad()
def cast_partitions(model: nn.Module, dtype: torch.dtype) -> int:
    """Cast every rank's partitions of floating-point ZeRO-3 parameters to `dtype`; returns how many were cast.

    DeepSpeed casts an unpartitioned module to bf16 in `deepspeed.initialize` but expects a model built
    under zero.Init to be in bf16 already; this is that cast, partition by partition (the same
    round-to-nearest as `tensor.to(bf16)`, so the values equal the unpartitioned path's).
    """
    cast = 0
    for param in model.parameters():
        if not is_partitioned(param) or not param.ds_tensor.is_floating_point() or param.ds_tensor.dtype == dtype:
            continue
        param.ds_tensor.data = param.ds_tensor.data.to(dtype)
        param.data = torch.empty(0, dtype=dtype, device=param.data.device)
        cast += 1
    return cast


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far, MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def partition_record(model: nn.Module) -> dict[str, Any]:
    """What this rank holds of the model: elements of its partitions vs of the whole model (a diagnostic).

    `local_elements` = this rank's partitions (plus any unpartitioned parameter), `full_elements` =
    the whole model, `materialized_elements` = elements of partitioned parameters that are whole on
    this rank right now (0 outside a gather), `peak_rss_mib` = the process's peak so far.
    """
    local = full = materialized = 0
    embedding = model.get_input_embeddings().weight
    for param in model.parameters():
        full += full_numel(param)
        if is_partitioned(param):
            local += param.ds_tensor.numel()
            materialized += param.data.numel()
        else:
            local += param.numel()
    return {
        "local_elements": local, "full_elements": full, "materialized_elements": materialized,
        "embedding_local_elements": embedding.ds_tensor.numel() if is_partitioned(embedding) else embedding.numel(),
        "embedding_full_elements": full_numel(embedding), "peak_rss_mib": round(peak_rss_mib(), 1),
    }


def planned_trainable_params(model_config, trainable: str) -> int:
    """Trainable elements of a Llama of `model_config` with `trainable` set, counted on the meta device (no memory).

    Sizes the engine's ZeRO buckets before the model exists (the config zero.Init builds it with
    must be the engine's); the trainer checks it against the built model.
    """
    from transformers import LlamaForCausalLM

    from xuanyuan.train.freeze import set_trainable

    with torch.device("meta"):
        model = LlamaForCausalLM(model_config)
    names = set(set_trainable(model, trainable))
    return sum(p.numel() for name, p in model.named_parameters() if name in names)
