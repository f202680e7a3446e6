"""`xuanyuan_tokenizer.json`: what the tokenizer directory holds and where it came from.

`padded_vocab_size` is the number of embedding rows a model built on this tokenizer allocates:
the vocabulary size rounded up to a multiple of `pad_vocab_multiple` (GPU matrix kernels and
tensor-parallel splits want a round row count). The rows from `vocab_size` up are padding: the
tokenizer never produces those ids, so they are never inputs nor training targets, and
generation masks their logits, so they are never sampled.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Mapping

from xuanyuan.tokenizer.cjk import CodePointRange, format_cjk_ranges
from xuanyuan.tokenizer.expand import ExpansionResult
from xuanyuan.tokenizer.hf import special_pieces
from xuanyuan.tokenizer.spmodel import file_sha256, load_model_proto

METADATA_FILE = "xuanyuan_tokenizer.json"
FORMAT_VERSION = 1


def padded_vocab_size(vocab_size: int, multiple: int) -> int:
    """`vocab_size` rounded up to a multiple of `multiple` (1 = unchanged)."""
    if multiple < 1:
        raise ValueError(f"tokenizer.pad_vocab_multiple must be >= 1, got {multiple}")
    return -(-vocab_size // multiple) * multiple


def tokenizer_metadata(
    expansion: ExpansionResult,
    *,
    base_label: str,
    cjk_ranges: Iterable[CodePointRange],
    add_chars: int,
    min_char_freq: int,
    pad_vocab_multiple: int,
    standin: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The metadata record; `base_label` says which base it is (e.g. "standin" or "llama-2")."""
    proto = load_model_proto(expansion.model_path)
    specials = special_pieces(proto)
    piece_ids = {piece.piece: index for index, piece in enumerate(proto.pieces)}
    return {
        "format": FORMAT_VERSION,
        "base": {
            "label": base_label,
            "path": str(expansion.base_model_path),
            "sha256": file_sha256(expansion.base_model_path),
            "standin": dict(standin) if standin is not None else None,
        },
        "base_vocab_size": expansion.base_vocab_size,
        "added_chars_count": len(expansion.added_chars),
        "vocab_size": expansion.vocab_size,
        "padded_vocab_size": padded_vocab_size(expansion.vocab_size, pad_vocab_multiple),
        "pad_vocab_multiple": pad_vocab_multiple,
        "cjk_ranges": format_cjk_ranges(cjk_ranges),
        "add_chars": add_chars,
        "min_char_freq": min_char_freq,
        "already_in_base": expansion.already_in_base,
        # In id order: the i-th entry has id base_vocab_size + i.
        "added_chars": [[char, count] for char, count in zip(expansion.added_chars, expansion.added_counts)],
        "special_tokens": {role: {"piece": piece, "id": piece_ids[piece]} for role, piece in specials.items()},
        "model_sha256": file_sha256(expansion.model_path),
    }


def metadata_path(tokenizer_dir: str | Path) -> Path:
    return Path(tokenizer_dir) / METADATA_FILE
