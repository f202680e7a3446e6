"""Rotary position embeddings computed in fp32, whatever dtype the model trains in.

The bug the recipe fixed: when a model is cast to bf16 (DeepSpeed's `bf16` does `module.bfloat16()`),
the rotary `inv_freq` buffer is cast too, and some implementations even build the position
vector in bf16. bf16 has 8 significant bits, so positions above 256 are not exact (8200 -> 8192)
and a rounded inv_freq is off by up to 2^-9 relative: at position 16,384 the angle is wrong by
tens of radians. The model then sees wrong positions exactly where long context matters.

The fix here, installed by `install_fp32_rope(model)` after the engine has cast the model:
- the cos/sin table is computed once in float64 from the config (theta, head dim, rope type) for
  positions 0 .. max_position_embeddings-1 and kept in fp32, as a plain attribute, not a buffer,
  so no later `.to(bf16)` can round it;
- the rotary module returns fp32 cos/sin, and the rotation of q and k runs in fp32 and casts the
  result back to the activations' dtype (the attention kernels need one dtype).
- `install_fp32_rope(model, fused=True)` rotates with Liger's RoPE kernel instead. The kernel
  computes in the dtype of cos/sin, so fed this fp32 table it rotates in fp32 and rounds once on its
  store, as the unfused rotation does, but in one pass over q and k (in place) where the unfused one
  makes about eight passes in fp32 (upcast, two products, rotate_half's concatenation, sum, downcast).
  Fed Hugging Face's cos/sin, which its rotary module returns in the activations' dtype, the same
  kernel would rotate in bf16: the fp32 table is what makes it right.
`rope_max_error` is the check: cos/sin against a float64 reference at every position.
"""

from __future__ import annotations

import sys
from typing import Callable

import torch
from torch import nn

from transformers.modeling_rope_utils import ROPE_INIT_FUNCTIONS


def reference_inv_freq(config) -> tuple[torch.Tensor, float]:
    """inv_freq in float64 and the attention scaling, for the config's rope type."""
    params = getattr(config, "rope_parameters", None) or {"rope_type": "default", "rope_theta": config.rope_theta}
    rope_type = params.get("rope_type", "default")
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads
    if rope_type == "default":
        exponents = torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim
        return 1.0 / (float(params["rope_theta"]) ** exponents), 1.0
    if rope_type == "dynamic":
        raise ValueError("dynamic RoPE scaling changes with the sequence length; xuanyuan.train.rope supports static types")
    inv_freq, scaling = ROPE_INIT_FUNCTIONS[rope_type](config, None)
    return inv_freq.to(torch.float64), float(scaling)


def reference_cos_sin(config, positions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """float64 cos/sin [len(positions), head_dim] in Hugging Face's layout (the half-dims repeated)."""
    inv_freq, scaling = reference_inv_freq(config)
    angles = positions.to(torch.float64)[:, None] * inv_freq[None, :]
    emb = torch.cat((angles, angles), dim=-1)
    return emb.cos() * scaling, emb.sin() * scaling


class Fp32RotaryEmbedding(nn.Module):
    """Drop-in for LlamaRotaryEmbedding: `forward(x, position_ids) -> (cos, sin)` in fp32, from a float64-built table."""

    def __init__(self, config, max_positions: int | None = None):
        super().__init__()
        self.max_positions = int(max_positions or config.max_position_embeddings)
        cos, sin = reference_cos_sin(config, torch.arange(self.max_positions))
        # Plain attributes, not buffers: module.to(dtype) must never round them. Device moves are lazy.
        self._tables = {torch.device("cpu"): (cos.float(), sin.float())}

    def _table(self, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
        if device not in self._tables:
            cos, sin = self._tables[torch.device("cpu")]
            self._tables[device] = (cos.to(device), sin.to(device))
        return self._tables[device]

    def forward(self, x: torch.Tensor, position_ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if int(position_ids.max()) >= self.max_positions:
            raise ValueError(f"position {int(position_ids.max())} >= max_position_embeddings {self.max_positions}; "
                             "raise model.standin.max_position_embeddings or shorten seq_length")
        cos, sin = self._table(x.device)
        return cos[position_ids], sin[position_ids]


def _rotate_half(x: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def apply_rotary_pos_emb_fp32(q, k, cos, sin, unsqueeze_dim: int = 1):
    """Rotate q and k in fp32 and return them in their own dtype (same signature as Hugging Face's)."""
    cos = cos.float().unsqueeze(unsqueeze_dim)
    sin = sin.float().unsqueeze(unsqueeze_dim)
    qf, kf = q.float(), k.float()
    q_embed = qf * cos + _rotate_half(qf) * sin
    k_embed = kf * cos + _rotate_half(kf) * sin
    return q_embed.to(q.dtype), k_embed.to(k.dtype)


def apply_rotary_pos_emb_fp32_fused(q, k, cos, sin, unsqueeze_dim: int = 1):
    """The same rotation in Liger's Triton kernel (fp32 arithmetic, one rounding to q's dtype on the store)."""
    from liger_kernel.ops.rope import LigerRopeFunction

    if unsqueeze_dim != 1:
        raise ValueError(f"the fused RoPE expects q/k as [batch, heads, seq, head_dim] (unsqueeze_dim=1), "
                         f"got unsqueeze_dim={unsqueeze_dim}; set model.liger_kernels without rope")
    return LigerRopeFunction.apply(q, k, cos.float(), sin.float())


def _rotary_owner(model: nn.Module) -> nn.Module:
    base = getattr(model, "model", model)
    if not hasattr(base, "rotary_emb"):
        raise ValueError(f"{type(model).__name__} has no rotary_emb module; fp32 RoPE supports Llama-style models")
    return base


def install_fp32_rope(model: nn.Module, *, fused: bool = False) -> Fp32RotaryEmbedding:
    """Replace the model's rotary module with the fp32 one and rotate q/k in fp32; call after any dtype cast.

    fused: rotate with Liger's kernel (`apply_rotary_pos_emb_fp32_fused`; needs liger_kernel and CUDA
    or Triton's interpreter, which `model.apply_fused_kernels` has checked when it returned `rope`).
    The rotation function is looked up by name in the model's modeling module at call time, so it is
    replaced there (for every model of that class in this process; for fp32 models the result is
    identical to the original).
    """
    owner = _rotary_owner(model)
    rope = Fp32RotaryEmbedding(model.config)
    owner.rotary_emb = rope
    module = sys.modules[type(owner).__module__]
    if hasattr(module, "apply_rotary_pos_emb"):
        module.apply_rotary_pos_emb = apply_rotary_pos_emb_fp32_fused if fused else apply_rotary_pos_emb_fp32
    return rope


def model_cos_sin(model: nn.Module, positions: torch.Tensor, dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor]:
    """cos/sin as the model's own rotary module computes them for activations of `dtype`."""
    owner = _rotary_owner(model)
    device = next(model.parameters()).device
    x = torch.zeros(1, 1, dtype=dtype, device=device)
    cos, sin = owner.rotary_emb(x, positions[None, :].to(device))
    return cos[0].detach().cpu(), sin[0].detach().cpu()


def bf16_cos_sin(config, positions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The bug, on purpose: positions and inv_freq in bf16, as a bf16-cast rotary module computes them."""
    inv_freq, scaling = reference_inv_freq(config)
    angles = positions.to(torch.bfloat16)[:, None] * inv_freq.to(torch.bfloat16)[None, :]
    emb = torch.cat((angles, angles), dim=-1)
    return emb.cos() * scaling, emb.sin() * scaling


def rope_max_error(cos_sin: Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor]], config,
                   max_position: int = 16384, chunk: int = 4096) -> float:
    """Largest |cos - cos_ref|, |sin - sin_ref| over positions 0 .. max_position-1 (float64 reference)."""
    worst = 0.0
    for start in range(0, max_position, chunk):
        positions = torch.arange(start, min(start + chunk, max_position))
        cos, sin = cos_sin(positions)
        ref_cos, ref_sin = reference_cos_sin(config, positions)
        worst = max(worst, float((cos.double() - ref_cos).abs().max()), float((sin.double() - ref_sin).abs().max()))
    return worst


def rotation_error_in_bf16_spacings(rotated: torch.Tensor, x: torch.Tensor, cos64: torch.Tensor,
                                     sin64: torch.Tensor) -> float:
    """Largest |rotated - rotation of x in float64|, in bf16 spacings of the length of the rotated pair
    (x_i, x_i+d/2), which a rotation keeps: 0.5 = rounded once to nearest, 1 = truncated, ~512 = the
    wrong angle. cos64/sin64 from `reference_cos_sin`. Checks a rotation kernel, where cos/sin checks
    cannot. Not the spacing of each exact value: over millions of elements some exact values nearly
    cancel, and there any fp32 computation is off by hundreds of their tiny spacings (234 on an H200
    at 67M elements, for a correct rotation)."""
    xd = x.double()
    truth = xd * cos64 + _rotate_half(xd) * sin64
    half = x.shape[-1] // 2
    pair = torch.sqrt(xd[..., :half] ** 2 + xd[..., half:] ** 2)
    pair = torch.cat((pair, pair), dim=-1)
    spacing = 2.0 ** (torch.floor(torch.log2(pair.clamp(min=2.0 ** -100))) - 7)  # bf16: 8 significant bits
    return float(((rotated.double() - truth).abs() / spacing).max())


def check_rope_precision(cos_sin, config, max_position: int = 16384, tolerance: float = 1e-3) -> float:
    """Raise when cos/sin deviate from float64 by more than `tolerance` anywhere up to `max_position`."""
    error = rope_max_error(cos_sin, config, max_position)
    if error > tolerance:
        raise AssertionError(f"RoPE cos/sin off by {error:.3g} (> {tolerance}) at positions < {max_position}: "
                             "computed in low precision; install_fp32_rope(model) after the dtype cast")
    return error
