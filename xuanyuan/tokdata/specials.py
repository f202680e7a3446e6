"""Where the special tokens of a stored document go: `[BOS] + ids + [EOS]`, or `ids + [EOS]`.

One switch, config ``tokenize.bos`` (default true, Llama-2's ``<s> … </s>``), decides it for every
place that produces or counts a document's tokens: the tokenize stage, the mix's token measure
and the perplexity evaluation. They all ask here, so they cannot disagree.
"""

from __future__ import annotations

from typing import Any, Sequence

from xuanyuan.errors import UserError


def document_bos_id(tokenizer: Any, bos: bool) -> int | None:
    """The id to put before every document: the tokenizer's BOS when `bos` (tokenize.bos), else None."""
    if not bos:
        return None
    bos_id = getattr(tokenizer, "bos_token_id", None)
    if bos_id is None:
        name = getattr(tokenizer, "name_or_path", "") or type(tokenizer).__name__
        raise UserError(
            f"{name}: tokenize.bos is true but this tokenizer has no BOS token; give it one (Llama-2's <s>) "
            "or set tokenize.bos: false in the config"
        )
    return int(bos_id)


def special_tokens_per_doc(bos: bool) -> int:
    """Tokens the tokenize stage adds to every document: its EOS, and its BOS when `bos`."""
    return 2 if bos else 1


def document_ids(ids: Sequence[int], *, eos_id: int, bos_id: int | None = None) -> list[int]:
    """One document exactly as `tokenize_documents` stores it: `[bos_id] + ids + [eos_id]`."""
    return ([] if bos_id is None else [bos_id]) + list(ids) + [eos_id]
