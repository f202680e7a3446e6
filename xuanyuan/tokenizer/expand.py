"""Chinese character-granularity vocabulary expansion of a SentencePiece BPE model.

The new pieces are appended after the last base piece, so every base piece keeps its id and
score and a model's embedding rows for the base vocabulary stay valid. Each new piece is a
NORMAL piece of one character.

Score of a new piece: the base's lowest score minus 1 for the first new character, minus 2 for
the second, and so on. The score of a single character never changes how sentencepiece BPE
segments text: characters are the symbols it starts from and a merge always yields at least two
characters, so scores only rank merges. The choice therefore only keeps the file looking like a
trained BPE model (scores fall as ids rise, as they do in Llama-2's file) and puts the new
characters after every base piece in any tool that orders pieces by score.

Once a character is a piece, the encoder emits that piece instead of its UTF-8 byte pieces;
characters that were not added still fall back to bytes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from xuanyuan.tokenizer.spmodel import PieceType, load_model_proto, processor, write_model_proto


@dataclass(frozen=True)
class ExpansionResult:
    """What `expand_tokenizer` wrote; the added characters have ids `base_vocab_size + index`."""

    model_path: Path
    base_model_path: Path
    base_vocab_size: int
    added_chars: tuple[str, ...]
    added_counts: tuple[int, ...]
    already_in_base: int  # candidates at or above min_char_freq that were single pieces already

    @property
    def vocab_size(self) -> int:
        return self.base_vocab_size + len(self.added_chars)


def select_chars(
    char_counts: Mapping[str, int], existing: set[str], *, add_chars: int, min_char_freq: int
) -> tuple[list[tuple[str, int]], int]:
    """The characters to add, most frequent first (ties by code point), and how many were skipped as existing."""
    for char in char_counts:
        if not isinstance(char, str) or len(char) != 1:
            raise ValueError(f"char_counts must map single characters to counts; got the key {char!r}")
    frequent = sorted(
        ((char, count) for char, count in char_counts.items() if count >= min_char_freq),
        key=lambda item: (-item[1], ord(item[0])),
    )
    new = [(char, count) for char, count in frequent if char not in existing]
    return new[:add_chars], len(frequent) - len(new)


def expand_tokenizer(
    base_model_path: str | os.PathLike[str],
    char_counts: Mapping[str, int],
    out_path: str | os.PathLike[str],
    *,
    add_chars: int,
    min_char_freq: int,
) -> ExpansionResult:
    """Append up to `add_chars` characters (count >= `min_char_freq`, not pieces yet) to the base; write the model."""
    base_model_path = Path(base_model_path)
    proto = load_model_proto(base_model_path)
    base_vocab_size = len(proto.pieces)
    chosen, already = select_chars(
        char_counts, {piece.piece for piece in proto.pieces}, add_chars=add_chars, min_char_freq=min_char_freq
    )
    lowest = min(piece.score for piece in proto.pieces)
    for index, (char, _count) in enumerate(chosen):
        piece = proto.pieces.add()
        piece.piece = char
        piece.score = lowest - 1.0 - index
        piece.type = PieceType.NORMAL
    out_path = write_model_proto(proto, out_path)

    # sentencepiece rejects duplicate pieces on load; the id check guards the "ids preserved" contract.
    merged = processor(out_path)
    for index, (char, _count) in enumerate(chosen):
        if merged.piece_to_id(char) != base_vocab_size + index:
            raise RuntimeError(f"{out_path}: the added character {char!r} did not get id {base_vocab_size + index}")
    return ExpansionResult(
        model_path=out_path,
        base_model_path=base_model_path,
        base_vocab_size=base_vocab_size,
        added_chars=tuple(char for char, _ in chosen),
        added_counts=tuple(count for _, count in chosen),
        already_in_base=already,
    )
