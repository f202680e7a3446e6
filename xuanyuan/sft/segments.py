"""Token ids of template segments that concatenate to exactly the ids of the whole text.

A SentencePiece-style tokenizer (the project's `tokenizer.json`, see xuanyuan/tokenizer/hf.py)
adds a dummy-prefix "▁" at the start of every input, so encoding segments one by one would put a
spurious "▁" before each of them. Two cases:

- fresh segments (the start of the text, and the text right after an EOS) are encoded as they
  are, with the dummy prefix: that is what the tokenizer does to the whole string too, because
  it splits special tokens out first and normalises each piece of text between them alone;
- continuation segments (an answer, which starts with the space after "Assistant:") are encoded
  behind an anchor, ":", and the anchor's ids are cut off. A piece never spans a character and
  the space after it (pieces start at a space, split_by_whitespace), so ":" + " answer" splits
  between them, and the answer's ids are those it has inside the whole string. The cut is
  checked: if the anchor's ids changed, the tokenizer merged across the boundary and we fail.

Special-token text inside a question or answer (a literal "</s>") is encoded as text, never as
the EOS id; only the template's EOS segments become EOS.
"""

from __future__ import annotations

from typing import Any

from tokenizers import Tokenizer

from xuanyuan.sft.template import Segment

ANCHOR = ":"


class SegmentEncoder:
    """Encode template segments with a Hugging Face fast tokenizer (object or directory)."""

    def __init__(self, tokenizer: Any):
        from xuanyuan.tokdata.encoding import load_tokenizer

        tokenizer = load_tokenizer(tokenizer)
        # A private copy of the backend: switching on encode_special_tokens must not change the caller's.
        self._backend = Tokenizer.from_str(tokenizer.backend_tokenizer.to_str())
        self._backend.encode_special_tokens = True
        self.bos_id: int = tokenizer.bos_token_id
        self.eos_id: int = tokenizer.eos_token_id
        self.pad_id: int = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.unk_token_id
        if self.bos_id is None or self.eos_id is None:
            raise ValueError("the tokenizer needs BOS and EOS tokens (Llama-2 style: <s> and </s>)")
        self._anchor_ids = self._ids(ANCHOR)
        # Ids run below this (added tokens included): what decides the dtype tokens are stored in.
        self.vocab_size: int = max(self._backend.get_vocab_size(with_added_tokens=True), self.pad_id + 1)

    def _ids(self, text: str) -> list[int]:
        return self._backend.encode(text, add_special_tokens=False).ids

    def fresh(self, text: str) -> list[int]:
        """Ids of text that starts a tokenizer input (dummy prefix included)."""
        return self._ids(text)

    def continuation(self, text: str) -> list[int]:
        """Ids of text inside a run that starts with a space, as the whole string would have them."""
        if not text.startswith(" "):
            raise ValueError(f"a continuation segment must start with a space, got {text[:20]!r}")
        ids = self._ids(ANCHOR + text)
        n = len(self._anchor_ids)
        if ids[:n] != self._anchor_ids:
            raise RuntimeError(f"the tokenizer merged {ANCHOR!r} with the text after it; segment ids would not be exact")
        return ids[n:]

    def encode(self, segment: Segment) -> list[int]:
        """Ids of one segment: EOS for "eos", else fresh or continuation text."""
        if segment.kind == "eos":
            return [self.eos_id]
        return self.fresh(segment.text) if segment.fresh else self.continuation(segment.text)
