"""GPTQ calibration windows drawn from our own corpus, streamed, reproducible under a seed.

Documents are tokenized as in training (`ids + [EOS]`, no BOS), concatenated in the order given
and cut into consecutive windows of `seq_length` tokens; `n_samples` windows are kept by reservoir
sampling (algorithm R), so the corpus is read once and never held in memory: memory is
n_samples * seq_length token ids whatever the corpus size.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Iterable

from xuanyuan.quantize.errors import CalibrationError


@dataclass(frozen=True)
class Calibration:
    """The chosen windows and what they were drawn from (recorded next to the quantized model)."""

    samples: list[dict[str, list[int]]] = field(repr=False)
    """GPTQModel's input: {"input_ids": [...], "attention_mask": [1, ...]} per window."""
    docs: int
    tokens: int
    windows: int
    """windows available; `len(samples)` of them were drawn."""

    def stats(self) -> dict[str, int]:
        return {"docs": self.docs, "tokens": self.tokens, "windows": self.windows, "samples": len(self.samples)}


def calibration_windows(texts: Iterable[str], tokenizer, *, n_samples: int, seq_length: int,
                        seed: int, bos: bool = True) -> Calibration:
    """`n_samples` windows of `seq_length` tokens sampled uniformly from the token stream of `texts`,
    each document laid out as the training data stored it (`[BOS] + ids + [EOS]` when `bos`, tokenize.bos)."""
    from xuanyuan.tokdata import document_bos_id, document_ids

    rng = random.Random(seed)
    eos = tokenizer.eos_token_id
    bos_id = document_bos_id(tokenizer, bos)
    chosen: list[list[int]] = []
    buffer: list[int] = []
    docs = tokens = windows = 0
    for text in texts:
        if not text:
            continue
        ids = tokenizer(text, add_special_tokens=False, split_special_tokens=True)["input_ids"]
        ids = document_ids(ids, eos_id=eos, bos_id=bos_id) if eos is not None else list(ids)
        docs += 1
        tokens += len(ids)
        buffer.extend(ids)
        while len(buffer) >= seq_length:
            window, buffer = buffer[:seq_length], buffer[seq_length:]
            windows += 1
            if len(chosen) < n_samples:
                chosen.append(window)
            else:
                slot = rng.randrange(windows)
                if slot < n_samples:
                    chosen[slot] = window
    if len(chosen) < n_samples:
        raise CalibrationError(
            f"calibration: {docs} documents gave {tokens} tokens = {windows} windows of {seq_length} tokens, "
            f"fewer than quantize.gptq.n_samples = {n_samples}; lower n_samples or seq_length, or give more text")
    samples = [{"input_ids": w, "attention_mask": [1] * len(w)} for w in chosen]
    return Calibration(samples=samples, docs=docs, tokens=tokens, windows=windows)
