"""Perplexity of a Hugging Face model directory on held-out text sets (zh, en, finance).

Each set's texts are tokenized with the model directory's own tokenizer, each document exactly
as the tokenize stage stored the training data: `[BOS] + ids + [EOS]` (`ids + [EOS]` with
tokenize.bos false), concatenated in the given order and cut into consecutive windows of
`window` tokens; every token after the first of a window is predicted once, with position ids
restarting at each document (as in training), except a document's BOS: it is given, never
predicted (as lm-eval treats it), so the predicted tokens are each document's text and EOS
whichever way tokenize.bos is set. Deterministic: no sampling, fixed order, eval mode, fp32.

Two numbers per set:
- `ppl_token` = exp(mean NLL per predicted token): comparable only between models that share a
  tokenizer (stage 1 vs stage 2).
- `ppl_char` = exp(total NLL / characters of the texts): comparable across tokenizers (the base,
  which spells a Chinese character in 3 byte pieces, vs the expanded model, 1 piece). Use it for
  base -> stage 1 -> stage 2.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import torch

from xuanyuan.tokdata.specials import document_bos_id, document_ids
from xuanyuan.train.data import model_inputs
from xuanyuan.train.loss import token_losses


def _windows(docs: Sequence[Sequence[int]], window: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(tokens, positions) windows of window+1 tokens overlapping by one (the last label of one = first input of next)."""
    tokens = np.concatenate([np.asarray(d, dtype=np.int64) for d in docs]) if docs else np.zeros(0, np.int64)
    positions = np.concatenate([np.arange(len(d), dtype=np.int64) for d in docs]) if docs else tokens
    out = []
    for start in range(0, max(len(tokens) - 1, 0), window):
        stop = min(start + window + 1, len(tokens))
        pos = positions[start:stop].copy()
        # A window that starts mid-document restarts positions at 0, as a packed training sample does.
        first_doc_len = np.argmax(pos[1:] == 0) + 1 if (pos[1:] == 0).any() else len(pos)
        pos[:first_doc_len] = np.arange(first_doc_len)
        out.append((tokens[start:stop], pos))
    return out


def document_tokens(tokenizer, texts: Sequence[str], *, bos: bool = True) -> list[list[int]]:
    """Each text as the tokenize stage stores it: `[BOS] + ids + [EOS]`, BOS when `bos` (tokenize.bos)."""
    bos_id = document_bos_id(tokenizer, bos)
    eos = tokenizer.eos_token_id
    return [document_ids(tokenizer(t, add_special_tokens=False, split_special_tokens=True)["input_ids"],
                         eos_id=eos, bos_id=bos_id) for t in texts]


@torch.no_grad()
def score_windows(model, windows: Sequence[tuple[np.ndarray, np.ndarray] | None], *, bos_id: int | None,
                  batch_size: int, device: torch.device | None = None) -> tuple[float, int]:
    """(total NLL, predicted tokens) of `model` over `windows` (from `_windows`), `batch_size` at a time.

    A None window is a stand-in that is run but not scored (its labels are all ignored): ranks that
    share the windows of a set run the same number of forward passes, as ZeRO-3 needs.
    """
    device = device or next(model.parameters()).device
    real = next((w for w in windows if w is not None), None)
    nll, count = 0.0, 0
    for i in range(0, len(windows), batch_size):
        group = [(w if w is not None else real, w is not None) for w in windows[i:i + batch_size]]
        if real is None:
            group = [((np.zeros(2, np.int64), np.arange(2, dtype=np.int64)), False) for _ in group]
        width = max(len(tokens) for (tokens, _), _ in group) - 1
        inputs = torch.zeros(len(group), width, dtype=torch.long)
        labels = torch.full((len(group), width), -100, dtype=torch.long)
        positions = torch.zeros(len(group), width, dtype=torch.long)
        for row, ((tokens, pos), scored) in enumerate(group):
            n = len(tokens) - 1
            inputs[row, :n] = torch.from_numpy(tokens[:-1])
            if scored:
                labels[row, :n] = torch.from_numpy(tokens[1:])
            positions[row, :n] = torch.from_numpy(pos[:-1])
        if bos_id is not None:
            # A BOS is only ever a document's first token (text encodes special strings as text): not scored.
            labels[labels == bos_id] = -100
        # Through the trainer's own input builder, so document boundaries reach every attention kernel.
        kwargs = model_inputs({"input_ids": inputs, "position_ids": positions},
                              attn_implementation=model.config._attn_implementation, dtype=next(model.parameters()).dtype,
                              device=device)
        logits = model(**kwargs).logits
        total, n = token_losses(logits, labels.to(device))
        nll += float(total)
        count += int(n)
    return nll, count


def rank_share(windows: Sequence[Any], rank: int, world_size: int) -> list[Any]:
    """Rank `rank`'s windows of `world_size` ranks (every world_size-th), padded with None to the same count on
    every rank (score_windows runs a None but does not score it)."""
    per_rank = -(-len(windows) // world_size)
    share = list(windows[rank::world_size])
    return share + [None] * (per_rank - len(share))


@torch.no_grad()
def perplexity_of(model, tokenizer, texts: Sequence[str], *, window: int, batch_size: int = 8,
                  bos: bool = True) -> dict[str, Any]:
    """NLL, token and character perplexity of `model` on `texts`, documents laid out per `bos` (tokenize.bos)."""
    windows = _windows(document_tokens(tokenizer, texts, bos=bos), window)
    nll, count = score_windows(model, windows, bos_id=document_bos_id(tokenizer, bos), batch_size=batch_size)
    return {"docs": len(texts), **perplexities(nll, count, sum(len(t) for t in texts))}


def perplexities(nll: float, tokens: int, chars: int) -> dict[str, Any]:
    """Token and character perplexity of a total NLL over `tokens` predicted tokens and `chars` characters."""
    return {
        "tokens": tokens, "chars": chars, "nll": nll,
        "ppl_token": math.exp(nll / tokens) if tokens else float("nan"),
        "ppl_char": math.exp(nll / chars) if chars else float("nan"),
    }


def model_perplexity(model_dir: str | Path, texts_by_set: Mapping[str, Sequence[str]], *, window: int,
                     max_docs: int | None = None, batch_size: int = 8, bos: bool = True) -> dict[str, dict[str, Any]]:
    """Perplexity per set of a Hugging Face model directory (its own tokenizer), on the first `max_docs` texts.

    `bos` is tokenize.bos: documents are laid out as the model's training data was.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).eval()
    return {name: perplexity_of(model, tokenizer, list(texts)[:max_docs], window=window, batch_size=batch_size,
                                bos=bos)
            for name, texts in texts_by_set.items()}


def heldout_sets(records: Iterable[Mapping[str, Any]], *, heldout_fraction: float,
                 max_docs: int) -> dict[str, list[str]]:
    """Held-out texts (the tokenizer stage's id-hash split) as sets zh (general), en (general), finance (any lang),
    the first `max_docs` of each; `records` is read only until every set is full."""
    from xuanyuan.tokenizer import is_heldout

    sets: dict[str, list[str]] = {"zh": [], "en": [], "finance": []}
    for record in records:
        if not is_heldout(record["id"], heldout_fraction):
            continue
        name = "finance" if record.get("domain") == "finance" else record.get("lang")
        if name in sets and len(sets[name]) < max_docs:
            sets[name].append(record["text"])
            if all(len(texts) == max_docs for texts in sets.values()):
                break
    return sets
