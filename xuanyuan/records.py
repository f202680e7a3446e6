"""The document record that every data stage reads and writes (DESIGN.md, "Contracts")."""

from __future__ import annotations

from typing import Any, TypedDict

LANGS = ("zh", "en")
DOMAINS = ("general", "finance")


class Document(TypedDict):
    """One document; `id` is stable from extraction to tokenization."""

    id: str
    text: str
    source: str
    lang: str
    domain: str
    kind: str
    meta: dict[str, Any]


def make_document(
    doc_id: str,
    text: str,
    *,
    source: str,
    lang: str,
    domain: str,
    kind: str,
    meta: dict[str, Any] | None = None,
) -> Document:
    """Build a record with the keys in contract order (so serialised shards are byte-stable)."""
    return {
        "id": doc_id,
        "text": text,
        "source": source,
        "lang": lang,
        "domain": domain,
        "kind": kind,
        "meta": dict(meta or {}),
    }
