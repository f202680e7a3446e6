"""Resize a base model's embeddings and LM head to the expanded tokenizer, new rows initialised from pieces.

Row layout after the resize (docs/tokenizer.md): ids 0 .. base_vocab_size-1 are the base model's
rows, unchanged; id base_vocab_size + k is the k-th added character; ids vocab_size ..
padded_vocab_size-1 are padding that the tokenizer never produces.

New rows: the base tokenizer spells an added character as some pieces (for a character it does not
know: its UTF-8 byte pieces `<0xE4> <0xB8> <0xAD>` by byte fallback). The base model already reads
the character through exactly those rows, so their mean is a starting point that carries what the
model knows, unlike a random row. The same rule is applied to the LM head's rows (the output side
then starts near the score the base gave to the character's pieces). Means are taken in float64.

Padding rows (`pretrain.pad_rows`): `mean` = the mean of all base rows (a padding logit then starts
at the average logit, neither dominating the softmax nor starting at -inf), or `zeros`. They are
never inputs or targets; generation must mask their logits.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

import torch

from xuanyuan.errors import UserError
from xuanyuan.tokenizer import METADATA_FILE, processor
from xuanyuan.train.zero3 import full_shape, gathered, is_partitioned, new_partitioned_parameter

SPACE_PIECE = "\u2581"
PAD_ROWS = ("mean", "zeros")


def base_pieces(sp, char: str) -> list[int]:
    """Ids of the pieces the base SentencePiece model splits `char` into, without the dummy-prefix `▁`."""
    ids = sp.encode(char)
    # sentencepiece prepends "▁" to the text; when it stays a piece of its own it is not part of the character.
    if len(ids) > 1 and sp.id_to_piece(ids[0]) == SPACE_PIECE:
        ids = ids[1:]
    if not ids:
        raise ValueError(f"the base tokenizer encodes {char!r} to nothing")
    return ids


def load_expansion(tokenizer_dir: str | Path) -> dict[str, Any]:
    """The tokenizer stage's metadata (`xuanyuan_tokenizer.json`), with a clear error when it is missing."""
    path = Path(tokenizer_dir) / METADATA_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path}: missing; the tokenizer stage writes it (rerun the tokenizer rule)")
    return json.loads(path.read_text(encoding="utf-8"))


def init_rows(weight: torch.Tensor, pieces: Sequence[Sequence[int]]) -> torch.Tensor:
    """One row per entry of `pieces`: the float64 mean of `weight`'s rows at those ids, in weight's dtype."""
    base = weight.detach().to(torch.float64)
    rows = torch.stack([base[list(ids)].mean(dim=0) for ids in pieces]) if pieces else base[:0]
    return rows.to(weight.dtype)


def _resized(old: torch.Tensor, base_vocab: int, new_rows: torch.Tensor, padded: int, pad_rows: str) -> torch.Tensor:
    new = torch.empty(padded, old.shape[1], dtype=old.dtype)
    new[:base_vocab] = old[:base_vocab]
    new[base_vocab:base_vocab + len(new_rows)] = new_rows
    rest = padded - base_vocab - len(new_rows)
    if rest:
        if pad_rows == "mean":
            new[padded - rest:] = old[:base_vocab].to(torch.float64).mean(dim=0).to(old.dtype)
        elif pad_rows == "zeros":
            new[padded - rest:] = 0
        else:
            raise ValueError(f"pretrain.pad_rows = {pad_rows!r}: use mean or zeros")
    return new


def _resized_parameter(param: torch.nn.Parameter, base_vocab: int, pieces: Sequence[Sequence[int]], padded: int,
                       pad_rows: str, zero_config: dict[str, Any] | None) -> torch.nn.Parameter:
    """`param` with `padded` rows laid out as above; a partitioned one is gathered and its result partitioned."""
    if not is_partitioned(param):
        new = _resized(param.data, base_vocab, init_rows(param.data, pieces), padded, pad_rows)
        return torch.nn.Parameter(new, requires_grad=param.requires_grad)
    if zero_config is None:
        raise ValueError("resizing a ZeRO-3 partitioned model needs the zero_config it was built with")
    import torch.distributed as dist

    new = new_partitioned_parameter((padded, full_shape(param)[1]), zero_config, requires_grad=param.requires_grad)
    # Every rank holds the old and the new parameter whole for this block; rank 0 fills the new one
    # with the same function as above, and its values are partitioned to every rank on exit.
    with gathered([param, new], modifier_rank=0):
        if dist.get_rank() == 0:
            new.data.copy_(_resized(param.data, base_vocab, init_rows(param.data, pieces), padded, pad_rows))
    return new


@torch.no_grad()
def resize_to_expanded(model, tokenizer_dir: str | Path, *, pad_rows: str = "mean",
                       base_tokenizer: str | Path | None = None,
                       zero_config: dict[str, Any] | None = None) -> dict[str, Any]:
    """Resize `model` (base vocabulary) in place to the expanded tokenizer's padded size; returns a report.

    `base_tokenizer` overrides the base `tokenizer.model` named in the metadata (`base.path`).
    `zero_config`: the construction config of a model partitioned under ZeRO-3 (xuanyuan.train.zero3);
    every rank must call then, and the rows equal the unpartitioned resize's bit for bit.
    """
    meta = load_expansion(tokenizer_dir)
    base_vocab, vocab, padded = meta["base_vocab_size"], meta["vocab_size"], meta["padded_vocab_size"]
    if pad_rows not in PAD_ROWS:
        raise ValueError(f"pretrain.pad_rows = {pad_rows!r}: use mean or zeros")
    sp = processor(base_tokenizer or meta["base"]["path"])
    if sp.get_piece_size() != base_vocab:
        raise UserError(f"{base_tokenizer or meta['base']['path']}: {sp.get_piece_size()} pieces, but {tokenizer_dir} "
                        f"was expanded from a base of {base_vocab}; rerun the tokenizer rule with this base tokenizer")
    embed = model.get_input_embeddings()
    rows = full_shape(embed.weight)[0]
    if rows != base_vocab:
        # Row i must be the base tokenizer's piece i: with another tokenizer the new rows would be averaged
        # from the wrong pieces, and rows past the base vocabulary would be dropped.
        raise UserError(f"the model to resize has {rows} embedding rows and the base tokenizer "
                        f"({base_tokenizer or meta['base']['path']}) {base_vocab} pieces: set tokenizer.base_model "
                        "to the base checkpoint's own tokenizer.model (for Llama-2, 32,000 pieces)")
    chars = [char for char, _count in meta["added_chars"]]
    pieces = [base_pieces(sp, char) for char in chars]

    head = model.get_output_embeddings()
    tied = head is not None and head.weight is embed.weight
    embed.weight = _resized_parameter(embed.weight, base_vocab, pieces, padded, pad_rows, zero_config)
    embed.num_embeddings = padded
    if head is not None and not tied:
        head.weight = _resized_parameter(head.weight, base_vocab, pieces, padded, pad_rows, zero_config)
        head.out_features = padded
    elif tied:
        head.weight = embed.weight
    model.config.vocab_size = padded
    return {
        "base_vocab_size": base_vocab, "vocab_size": vocab, "padded_vocab_size": padded,
        "added": len(chars), "pad_rows": pad_rows, "tied": tied,
        "pieces_per_char": (sum(map(len, pieces)) / len(pieces)) if pieces else 0.0,
    }
