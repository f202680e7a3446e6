"""A stable, order-independent split of documents into fitting and held-out parts."""

from __future__ import annotations

import hashlib


def is_heldout(doc_id: str, fraction: float) -> bool:
    """True for about `fraction` of all ids, decided by the id alone.

    The first 8 bytes of sha256(id) as a number in [0, 1) are compared with `fraction`, so the
    split does not depend on shard layout or document order and a document keeps its side when
    the corpus grows.
    """
    digest = hashlib.sha256(doc_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < fraction
