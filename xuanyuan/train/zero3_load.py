"""Load a Hugging Face safetensors checkpoint into a ZeRO-3 model one module at a time.

Transformers' own ZeRO-3 load (`from_pretrained` under `HfDeepSpeedConfig`) has rank 0 read the
whole checkpoint into CPU memory first, then copy it into the partitions module by module: for
Llama-2-70B that is ~138 GB (bf16) resident on one process of the node before training starts.
Here the model is built partitioned and uninitialised under `deepspeed.zero.Init`, and for each
module in turn every rank gathers its parameters, rank 0 reads just those tensors from the
safetensors files (`safe_open`, one tensor at a time, memory-mapped), and leaving the gather
scatters them to the partitions. Rank 0 then holds at most one module's tensors (the embedding
or LM head, 32k-39k x 8192 for 70B) beside its partitions, and the other ranks read nothing.

The values are those of the unpartitioned `from_pretrained` in fp32, bit for bit
(tests/train/test_zero_init.py): `copy_` casts a bf16/fp16 checkpoint tensor to fp32 exactly.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import torch
from torch import nn

from xuanyuan.errors import UserError

SAFETENSORS_INDEX = "model.safetensors.index.json"


class CheckpointKeyError(UserError):
    """The checkpoint's tensors do not match the model its config describes."""


@dataclass
class LoadRecord:
    """What rank 0 read: tensors and bytes in all, and the most bytes it held at once (one module's)."""

    tensors: int = 0
    bytes_read: int = 0
    max_bytes_at_once: int = 0


def has_safetensors(path: str | Path) -> bool:
    """Whether a Hugging Face model directory holds its weights as safetensors (no file is opened)."""
    path = Path(path)
    return (path / SAFETENSORS_INDEX).is_file() or any(path.glob("*.safetensors"))


def safetensors_files(path: str | Path) -> dict[str, Path]:
    """Tensor name -> safetensors file of a Hugging Face model directory; {} when it has no safetensors."""
    path = Path(path)
    index = path / SAFETENSORS_INDEX
    if index.is_file():
        weight_map = json.loads(index.read_text(encoding="utf-8")).get("weight_map")
        if not isinstance(weight_map, dict) or not weight_map:
            raise CheckpointKeyError(f"{index}: no weight_map; re-save the checkpoint with save_pretrained")
        missing = sorted({name for name in weight_map.values() if not (path / name).is_file()})
        if missing:
            raise CheckpointKeyError(f"{index} names shard files that are not there: {', '.join(missing)}; "
                                     "copy the whole checkpoint directory")
        return {key: path / name for key, name in weight_map.items()}
    from safetensors import safe_open

    files: dict[str, Path] = {}
    for file in sorted(path.glob("*.safetensors")):
        with safe_open(str(file), framework="pt") as handle:
            for key in handle.keys():
                files[key] = file
    return files


class _Reader:
    """Reads tensors by name, the files open only inside `module()`.

    safetensors memory-maps its file, and a mapped page that was read stays in the process's RSS
    until the mapping closes; holding the file open for the whole load would leave the whole
    checkpoint resident on rank 0 by the end. Opening per module (a header parse, microseconds)
    bounds that to the module being loaded.
    """

    def __init__(self, files: dict[str, Path]):
        self._files = files
        self._handles: dict[Path, Any] | None = None
        self._stack: contextlib.ExitStack | None = None

    @contextlib.contextmanager
    def module(self) -> Iterator[None]:
        with contextlib.ExitStack() as stack:
            self._handles, self._stack = {}, stack
            try:
                yield
            finally:
                self._handles, self._stack = None, None

    def tensor(self, key: str) -> torch.Tensor:
        from safetensors import safe_open

        if self._handles is None:
            raise RuntimeError("_Reader.tensor called outside module()")
        file = self._files[key]
        if file not in self._handles:
            self._handles[file] = self._stack.enter_context(safe_open(str(file), framework="pt", device="cpu"))
        return self._handles[file].get_tensor(key)


def _check_keys(model: nn.Module, files: dict[str, Path], where: Path) -> None:
    expected = {name for name, _ in model.named_parameters()}
    # A tied LM head may be saved under its own name too.
    known = {name for name, _ in model.named_parameters(remove_duplicate=False)}
    check_tensor_names(sorted(expected - set(files)), sorted(set(files) - known), where)


def check_tensor_names(missing: list[str], unexpected: list[str], where: str | Path) -> None:
    """Stop when a checkpoint lacks tensors of the model or has tensors it has no place for (rotary inv_freq,
    computed from the config, aside): Transformers would initialise the missing ones at random and go on."""
    unexpected = [key for key in unexpected if not key.endswith("rotary_emb.inv_freq")]
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"missing {len(missing)} tensors ({', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''})")
        if unexpected:
            parts.append(f"{len(unexpected)} tensors the model has no place for "
                         f"({', '.join(unexpected[:5])}{' ...' if len(unexpected) > 5 else ''})")
        raise CheckpointKeyError(f"{where}: the checkpoint does not match its config.json: {'; '.join(parts)}; "
                                 "point model.path at a Llama checkpoint saved with save_pretrained")


def _check_shapes(model: nn.Module, files: dict[str, Path], where: Path) -> None:
    from safetensors import safe_open

    from xuanyuan.train.zero3 import full_shape

    shapes: dict[str, tuple[int, ...]] = {}
    for file in sorted(set(files.values())):
        with safe_open(str(file), framework="pt") as handle:
            for key in handle.keys():
                shapes[key] = tuple(handle.get_slice(key).get_shape())
    for name, param in model.named_parameters():
        if name in shapes and shapes[name] != tuple(full_shape(param)):
            raise CheckpointKeyError(f"{where}: {name} has shape {shapes[name]} in the checkpoint but "
                                     f"{tuple(full_shape(param))} in the model its config.json describes; the "
                                     "config and the weights are from different models")


def _modules_with_parameters(model: nn.Module) -> Iterator[tuple[str, dict[str, nn.Parameter]]]:
    seen: set[int] = set()
    for prefix, module in model.named_modules():
        params = {}
        for name, param in module.named_parameters(recurse=False):
            if id(param) in seen:  # tied: loaded once, under its first name
                continue
            seen.add(id(param))
            params[f"{prefix}.{name}" if prefix else name] = param
        if params:
            yield prefix, params


@torch.no_grad()
def load_checkpoint_into_partitions(model: nn.Module, path: str | Path, *, rank: int) -> LoadRecord:
    """Copy the safetensors checkpoint at `path` into `model`'s ZeRO-3 partitions; rank 0 reads, one module at a time."""
    from xuanyuan.train.zero3 import gathered

    path = Path(path)
    files = safetensors_files(path)
    if not files:
        raise CheckpointKeyError(f"{path}: no *.safetensors files; convert the checkpoint with save_pretrained")
    # Every rank checks names and shapes (from the files' headers) before the first gather, so a
    # mismatch stops all ranks with the same message instead of leaving the others in a collective.
    _check_keys(model, files, path)
    _check_shapes(model, files, path)
    record = LoadRecord()
    reader = _Reader(files) if rank == 0 else None
    for _, params in _modules_with_parameters(model):
        with gathered(params.values(), modifier_rank=0):
            if reader is None:
                continue
            held = 0
            with reader.module():
                for key, param in params.items():
                    tensor = reader.tensor(key)
                    param.data.copy_(tensor)
                    size = tensor.numel() * tensor.element_size()
                    held += size
                    record.tensors += 1
                    record.bytes_read += size
                    del tensor
            record.max_bytes_at_once = max(record.max_bytes_at_once, held)
    return record


def build_uninitialised(config: Any, zero_config: dict[str, Any]) -> nn.Module:
    """A LlamaForCausalLM of `config` partitioned under zero.Init, its weights left uninitialised
    (they are loaded next; initialising 70B parameters only to overwrite them costs minutes)."""
    from transformers import LlamaForCausalLM
    from transformers.initialization import no_init_weights

    from xuanyuan.train.zero3 import partitioned_construction

    with no_init_weights(), partitioned_construction(zero_config):
        model = LlamaForCausalLM(config)
    model.tie_weights()
    return model
