"""Activation memory: recompute decoder layers in the backward pass instead of storing their activations.

Stage 2 of the recipe trains all 70B parameters at 8,192 tokens (16,384 as an option). What a
transformer layer stores for its backward pass grows with the tokens: about 34·s·h bytes per
layer in 16-bit with a flash attention kernel (Korthikanti et al. 2022, "Reducing Activation
Recomputation in Large Transformer Models"), which for Llama-2-70B (h = 8,192, 80 layers) at
s = 8,192 is about 170 GiB per sequence, far more than a GPU holds next to its ZeRO-3 shard of the
weights and optimizer. With `pretrain.activation_checkpointing` a decoder layer keeps only its
input (2·s·h bytes, about 10 GiB over the 80 layers) and runs its forward again during the backward
pass (Hugging Face's activation checkpointing, non-reentrant `torch.utils.checkpoint`): about one
more forward per step. `bench/activation_memory.py` measures both sides.

The losses and gradients do not change: the recomputed forward is the same computation (bitwise
on CPU, tested), so the setting changes no weight and reruns no training job. MFU counts the
model's FLOPs (6N + 12LdS per token), not the recomputation.
"""

from __future__ import annotations

import logging
from typing import Callable

import torch

from xuanyuan.train.settings import ActivationCheckpointing

log = logging.getLogger(__name__)


def enable_activation_checkpointing(model: torch.nn.Module, settings: ActivationCheckpointing) -> int:
    """Recompute the decoder layers of a Hugging Face causal LM in its backward pass (training mode only);
    returns how many layers are recomputed (0 when disabled).

    `every_n_layers` = n checkpoints layers 0, n, 2n, ... and lets the others keep their activations
    (memory traded back for speed); `offload` keeps the checkpointed layers' inputs in host memory.
    Non-reentrant checkpointing: it works when a layer's weights need no gradient (stage 1 trains
    only the embeddings and LM head) and under ZeRO-3, whose hooks gather a layer's partitioned
    weights again for the recomputation.
    """
    if not settings.enabled:
        return 0
    if not getattr(model, "supports_gradient_checkpointing", False):
        raise ValueError(f"{type(model).__name__} does not support activation checkpointing; "
                         "set pretrain.activation_checkpointing.enabled: false")
    if not hasattr(model, "activation_checkpointing_enable"):
        import transformers

        raise ValueError(f"pretrain.activation_checkpointing needs Transformers' activation_checkpointing_enable "
                         f"(5.24 has it); this is Transformers {transformers.__version__}: upgrade it")
    # Offloading copies the checkpoints to pinned host memory; without a GPU they are in host memory already
    # (and pinning needs CUDA).
    offload = settings.offload and torch.cuda.is_available()
    if settings.offload and not offload:
        log.info("activation_checkpointing.offload: no GPU, the activations are in host memory already")
    model.activation_checkpointing_enable(activation_checkpointing_kwargs={"use_reentrant": False},
                                          every_n_layers=settings.every_n_layers, offload=offload)
    return checkpointed_layers(model)


def checkpointed_layers(model: torch.nn.Module) -> int:
    """Decoder layers whose activations are recomputed in the backward pass."""
    from transformers.modeling_layers import GradientCheckpointingLayer

    return sum(isinstance(m, GradientCheckpointingLayer) and bool(m.gradient_checkpointing) for m in model.modules())


def saved_activation_bytes(model: torch.nn.Module, step: Callable[[], object]) -> int:
    """Bytes of the tensors autograd stores for the backward pass while `step()` runs `model`'s forward.

    The model's parameters and buffers are not counted (they exist anyway), and a storage saved
    several times counts once. Under activation checkpointing the checkpointed regions store
    through their own hooks, so what is counted here is what stays in memory until the backward pass.
    """
    weights = {t.untyped_storage().data_ptr() for t in (*model.parameters(), *model.buffers())}
    seen: set[int] = set()
    total = 0

    def pack(tensor: torch.Tensor) -> torch.Tensor:
        nonlocal total
        pointer = tensor.untyped_storage().data_ptr()
        if pointer not in weights and pointer not in seen:
            seen.add(pointer)
            total += tensor.untyped_storage().nbytes()
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        step()
    return total
