"""Where a model runs: a device setting (auto | cpu | cuda | cuda:N) resolved on this machine, and the
loading arguments that spread a model over every GPU a job was given.

One resolution serves quantization (`quantize.device`), its measurements, evaluation (`evaluate.device`),
the `generate` rule and the chat command (`--device`). `auto` is CUDA when torch sees a GPU, else the
CPU; with CUDA, every visible GPU is used (a SLURM job sees the GPUs it was given through
CUDA_VISIBLE_DEVICES). On the CPU, models load exactly as they always did: nothing here changes the
default run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from xuanyuan.errors import UserError

CHOICES = "auto, cpu, cuda (every visible GPU) or cuda:N (one GPU)"

GPU_MEMORY_FRACTION = 0.9
"""Share of each GPU's memory a sharded model's weights may fill; the rest stays free for activations,
the KV cache and lm-eval's batches (accelerate's own default reserves nothing on the last GPU)."""


@dataclass(frozen=True)
class Placement:
    """A resolved device: the CPU, or the CUDA GPUs (by index) a model is spread over."""

    kind: str = "cpu"               # cpu | cuda | mps
    gpus: tuple[int, ...] = ()      # CUDA indices, in order; empty unless kind is cuda

    @property
    def device(self) -> str:
        """Where inputs go: the first GPU, or the CPU (a sharded model's embeddings sit on its first GPU)."""
        return f"cuda:{self.gpus[0]}" if self.kind == "cuda" else self.kind

    @property
    def sharded(self) -> bool:
        return len(self.gpus) > 1

    def devices(self) -> list[str]:
        """Every device the model occupies (what a memory measurement must cover)."""
        return [f"cuda:{g}" for g in self.gpus] if self.kind == "cuda" else [self.kind]

    def __str__(self) -> str:
        return ",".join(self.devices())


def resolve_device(setting: Any = None, *, key: str = "device", expected_gpus: int = 0) -> Placement:
    """The placement a device setting means on this machine; a UserError naming `key` when it can't be had.

    `setting`: None or "auto" (CUDA when available, else CPU), "cpu", "cuda" (all visible GPUs),
    "cuda:N", "mps", a torch.device or a Placement (returned as it is). `expected_gpus`: GPUs the rule's
    resources asked for; with `auto` and no GPU visible that is an error, not a silent CPU run.
    """
    if isinstance(setting, Placement):
        return setting
    import torch

    text = "auto" if setting is None else str(setting).strip().lower()
    if text == "auto":
        if torch.cuda.is_available():
            return Placement("cuda", tuple(range(torch.cuda.device_count())))
        if expected_gpus:
            raise UserError(
                f"{key}: auto, and the job was given {expected_gpus} GPU(s), but torch {torch.__version__} sees "
                f"none ({_why_no_cuda()}); install a CUDA build of torch on the GPU nodes, or set {_set(key, 'cpu')} "
                "to run on the CPU on purpose")
        return Placement("cpu")
    if text == "cpu":
        return Placement("cpu")
    if text == "mps":
        if not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
            raise UserError(f"{key}: mps, but this machine has no Apple GPU; use {CHOICES}")
        return Placement("mps")
    if text == "cuda" or text.startswith("cuda:"):
        if not torch.cuda.is_available():
            raise UserError(f"{key}: {setting}, but torch {torch.__version__} sees no CUDA GPU ({_why_no_cuda()}); "
                            f"use {_set(key, 'auto')} (the CPU here) or {_set(key, 'cpu')}, or run on a GPU node")
        count = torch.cuda.device_count()
        if text == "cuda":
            return Placement("cuda", tuple(range(count)))
        index = text.split(":", 1)[1]
        if not index.isdigit() or int(index) >= count:
            raise UserError(f"{key}: {setting}, but this machine has GPUs cuda:0..cuda:{count - 1}; "
                            f"use one of them, cuda or auto")
        return Placement("cuda", (int(index),))
    raise UserError(f"{key}: {setting!r} is not a device; use {CHOICES}")


def _set(key: str, value: str) -> str:
    """How a user writes `value` for `key`: a command-line flag or a config key."""
    return f"{key} {value}" if key.startswith("-") else f"{key}: {value}"


def _why_no_cuda() -> str:
    import torch

    if torch.version.cuda is None:
        return "this torch was built without CUDA"
    return "no GPU is visible: check CUDA_VISIBLE_DEVICES and the job's GPU request"


def gpu_load_kwargs(gpus: Sequence[int], gpu_memory: Mapping[int, int] | None = None, *,
                    fraction: float = GPU_MEMORY_FRACTION) -> dict[str, Any]:
    """`from_pretrained` placement arguments for a model on `gpus` (CUDA indices).

    One GPU: the whole model on it. Several: `device_map="auto"` (accelerate balances the layers) with
    `max_memory` naming only these GPUs, each capped at `fraction` of its memory (`gpu_memory`: bytes
    per index), so nothing lands on the CPU and every GPU keeps room to compute.
    """
    if not gpus:
        raise ValueError("gpu_load_kwargs needs at least one GPU index")
    if len(gpus) == 1:
        return {"device_map": {"": f"cuda:{gpus[0]}"}}
    if gpu_memory is None:
        import torch

        gpu_memory = {g: torch.cuda.get_device_properties(g).total_memory for g in gpus}
    return {"device_map": "auto", "max_memory": {g: int(gpu_memory[g] * fraction) for g in gpus}}


def load_kwargs(placement: Placement) -> dict[str, Any]:
    """Placement arguments of `from_pretrained` for a model on `placement`; {} on the CPU (loaded there as before)."""
    if placement.kind != "cuda":
        return {}
    return gpu_load_kwargs(placement.gpus)


def model_devices(model: Any) -> list[str]:
    """The devices a (possibly sharded) model's parameters are on, in first-use order."""
    seen: dict[str, None] = {}
    for param in model.parameters():
        seen.setdefault(str(param.device), None)
    return list(seen) or ["cpu"]
