"""Held-out perplexity during a pretraining stage: when English starts to slip, not only whether it did.

results/perplexity.md measures each stage's export; inside stage 2 the recipe's question (does
Chinese improve while English holds?) has a time course too. With `pretrain.validation.every`, the
trainer scores the held-out sets (zh, en, finance: the tokenizer stage's id-hash split, never trained
on) every that many steps and at the stage's last step, exactly as xuanyuan.train.perplexity scores
an export (same documents layout, windows and batch size, per-character perplexity comparable across
tokenizers), and writes the numbers into that step's metrics record.

The windows of a set are shared out over the ranks (every world_size-th), padded to the same count
on each, and the NLL and token counts summed: each rank runs the same forward passes, as ZeRO-3's
gathers need. Nothing is drawn at random and the weights are not touched (no_grad, eval mode), so
the stage's losses are the same with or without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

import torch

from xuanyuan.shards import read_records
from xuanyuan.tokdata.specials import document_bos_id
from xuanyuan.train.distributed import from_main, sums_over_ranks
from xuanyuan.train.perplexity import _windows, document_tokens, heldout_sets, perplexities, rank_share, score_windows

SETS = ("zh", "en", "finance")


def validation_source(shards: Sequence[str], config: Mapping[str, Any]) -> dict[str, Any]:
    """Where a training job's held-out documents are: the quality shards (the rule's input, in order),
    with the tokenizer stage's held-out fraction and the training data's tokenize.bos."""
    return {"shards": [str(path) for path in shards], "heldout_fraction": config["tokenizer"]["heldout_fraction"],
            "bos": config["tokenize"]["bos"]}


def heldout_texts(source: Mapping[str, Any], max_docs: int) -> dict[str, list[str]]:
    """The first `max_docs` held-out documents of each set, the shards read in order only until every set is
    full (a cluster corpus has terabytes of shards; with 5% held out, a small set fills in a few thousand)."""
    records = (record for path in source["shards"] for record in read_records(path))
    return heldout_sets(records, heldout_fraction=source["heldout_fraction"], max_docs=max_docs)


def record_keys(name: str) -> tuple[str, str]:
    """The metrics record's keys for set `name`: per-character and per-token perplexity."""
    return f"val_ppl_char_{name}", f"val_ppl_token_{name}"


class Validation:
    """The held-out windows of this rank, tokenized once, and their scoring."""

    def __init__(self, source: Mapping[str, Any], tokenizer_dir: str | Path, *, max_docs: int, window: int,
                 batch_size: int, rank: int, world_size: int):
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(str(tokenizer_dir))
        self.bos_id = document_bos_id(tokenizer, source["bos"])
        self.batch_size = batch_size
        self.sets = {}
        # Read once, on rank 0: a job of many ranks would otherwise read the same shards once per rank.
        for name, texts in from_main(lambda: heldout_texts(source, max_docs)).items():
            if texts:
                windows = _windows(document_tokens(tokenizer, texts, bos=source["bos"]), window)
                self.sets[name] = (rank_share(windows, rank, world_size), sum(len(t) for t in texts))

    @torch.no_grad()
    def run(self, model: torch.nn.Module, device: torch.device) -> dict[str, float]:
        """Per-character and per-token perplexity of each set, as metrics record fields (all ranks call it)."""
        was_training = model.training
        model.eval()
        record = {}
        for name, (windows, chars) in self.sets.items():
            nll, tokens = score_windows(model, windows, bos_id=self.bos_id, batch_size=self.batch_size, device=device)
            nll, tokens = sums_over_ranks([nll, float(tokens)])
            result = perplexities(nll, int(tokens), chars)
            char_key, token_key = record_keys(name)
            record[char_key], record[token_key] = result["ppl_char"], result["ppl_token"]
        model.train(was_training)
        return record
