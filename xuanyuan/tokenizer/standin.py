"""A stand-in for Llama-2's tokenizer, trained on English text when no base model is given.

The trainer options are the ones recorded in the `trainer_spec` and `normalizer_spec` of
Llama-2's `tokenizer.model` (BPE, byte fallback, digits split, identity normalisation, dummy
prefix, whitespace kept as is, `<unk>`/`<s>`/`</s>` = 0/1/2 and no pad piece). Only the
vocabulary size, the character coverage and the amount of text come from the config. Trained
on English only, the stand-in, like Llama-2, has few or no Chinese characters as pieces and
encodes them as UTF-8 byte pieces, which is the gap the character expansion fills.
"""

from __future__ import annotations

import io
import os
from itertools import islice
from pathlib import Path
from typing import Iterable, Iterator

import sentencepiece as spm

from xuanyuan.tokenizer.spmodel import ModelProto, write_model_proto

# Facts of Llama-2's tokenizer.model, not tuning knobs: changing them makes the stand-in a
# worse stand-in (e.g. without split_digits numbers would merge into multi-digit pieces).
LLAMA2_TRAINER_OPTIONS = {
    "model_type": "bpe",
    "byte_fallback": True,
    "split_digits": True,
    "split_by_unicode_script": True,
    "split_by_number": True,
    "split_by_whitespace": True,
    "treat_whitespace_as_suffix": False,
    "allow_whitespace_only_pieces": True,
    "max_sentencepiece_length": 16,
    "max_sentence_length": 4192,
    "normalization_rule_name": "identity",
    "add_dummy_prefix": True,
    "remove_extra_whitespaces": False,
    "unk_id": 0,
    "bos_id": 1,
    "eos_id": 2,
    "pad_id": -1,
    "vocabulary_output_piece_score": True,
    "hard_vocab_limit": True,
}

# Determinism, which Llama-2's own run (80 threads, shuffled sampled input) did not need:
# one thread, the input in the order given, and no sampling (we cap the lines ourselves).
_DETERMINISTIC_OPTIONS = {
    "num_threads": 1,
    "shuffle_input_sentence": False,
    "input_sentence_size": 0,
    "minloglevel": 1,
}

MODEL_FILE = "tokenizer.model"


def training_sentences(texts: Iterable[str], *, max_bytes: int) -> Iterator[str]:
    """The lines of `texts`, blank ones skipped, long ones cut at a space to at most `max_bytes`.

    The trainer silently drops sentences longer than its max_sentence_length (in bytes), which
    would lose whole articles that are stored as one line (Wikipedia records are).
    """
    for text in texts:
        for line in text.split("\n"):
            line = line.rstrip("\r")
            if not line.strip():
                continue
            data = line.encode("utf-8")
            while len(data) > max_bytes:
                cut = data.rfind(b" ", 1, max_bytes + 1)
                if cut <= 0:
                    cut = max_bytes
                    while (data[cut] & 0xC0) == 0x80:  # never split inside a UTF-8 sequence
                        cut -= 1
                head, data = data[:cut], data[cut:]
                if data.startswith(b" "):
                    data = data[1:]
                if head.strip():
                    yield head.decode("utf-8")
            if data.strip():
                yield data.decode("utf-8")


def train_standin(
    texts: Iterable[str],
    out_dir: str | os.PathLike[str],
    *,
    vocab_size: int,
    character_coverage: float,
    max_sentences: int,
) -> Path:
    """Train the stand-in on the first `max_sentences` lines of `texts`; returns `out_dir/tokenizer.model`.

    Deterministic: the same texts give a byte-identical model.
    """
    sentences = islice(
        training_sentences(texts, max_bytes=LLAMA2_TRAINER_OPTIONS["max_sentence_length"]), max_sentences
    )
    # Peek one sentence: sentencepiece reports an empty input with an opaque internal error.
    first = next(sentences, None)
    if first is None:
        raise ValueError(
            "no English text to train the stand-in tokenizer on; the corpus needs documents with "
            "lang 'en' outside the held-out fraction, or set tokenizer.base_model to Llama-2's tokenizer.model"
        )
    writer = io.BytesIO()
    try:
        spm.SentencePieceTrainer.train(
            sentence_iterator=_chain_first(first, sentences),
            model_writer=writer,
            vocab_size=vocab_size,
            character_coverage=character_coverage,
            **LLAMA2_TRAINER_OPTIONS,
            **_DETERMINISTIC_OPTIONS,
        )
    except RuntimeError as exc:
        message = str(exc).strip()
        if "Vocabulary size is too high" in message or "vocab_size" in message:
            raise ValueError(
                f"tokenizer.standin.vocab_size = {vocab_size} is more than the English text supports "
                f"({message}); lower it or give the stand-in more text (tokenizer.standin.max_sentences)"
            ) from None
        raise
    proto = ModelProto()
    proto.ParseFromString(writer.getvalue())
    return write_model_proto(proto, Path(out_dir) / MODEL_FILE)


def _chain_first(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest
