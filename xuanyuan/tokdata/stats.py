"""Token and character counts per source, language, domain and phase: the realised mix."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

# Group name in the stats dict -> how a sidecar row is keyed into it.
GROUPS = {
    "by_source": lambda row: str(row["source"]),
    "by_lang": lambda row: str(row["lang"]),
    "by_domain": lambda row: str(row["domain"]),
    "by_lang_domain": lambda row: f"{row['lang']}/{row['domain']}",
    "by_phase": lambda row: str(row["phase"]),
}


class TokenStats:
    """Accumulate docs/tokens/chars per group; tokens include the EOS (and BOS) the model sees."""

    def __init__(self) -> None:
        self.docs = self.tokens = self.chars = self.empty_docs = 0
        self._groups: dict[str, dict[str, dict[str, int]]] = {
            name: defaultdict(lambda: {"docs": 0, "tokens": 0, "chars": 0}) for name in GROUPS
        }

    def add(self, row: dict[str, Any], tokens: int, chars: int, empty: bool) -> None:
        self.docs += 1
        self.tokens += tokens
        self.chars += chars
        self.empty_docs += int(empty)
        for name, key_of in GROUPS.items():
            cell = self._groups[name][key_of(row)]
            cell["docs"] += 1
            cell["tokens"] += tokens
            cell["chars"] += chars

    def as_dict(self, **extra: Any) -> dict[str, Any]:
        """Plain, JSON-ready dict; each group cell also carries its token share and chars/token."""
        out: dict[str, Any] = {
            "docs": self.docs,
            "tokens": self.tokens,
            "chars": self.chars,
            "empty_docs": self.empty_docs,
            **extra,
        }
        for name, cells in self._groups.items():
            out[name] = {
                key: {
                    **cell,
                    "token_share": cell["tokens"] / self.tokens if self.tokens else 0.0,
                    "chars_per_token": cell["chars"] / cell["tokens"] if cell["tokens"] else 0.0,
                }
                for key, cell in sorted(cells.items())
            }
        return out


def merge_token_stats(parts: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """The stats of several pairs as if written as one (what a phase's merged pair holds)."""
    merged = TokenStats()
    for part in parts:
        merged.docs += part["docs"]
        merged.tokens += part["tokens"]
        merged.chars += part["chars"]
        merged.empty_docs += part["empty_docs"]
        for name in GROUPS:
            for key, cell in part.get(name, {}).items():
                target = merged._groups[name][key]
                for field in ("docs", "tokens", "chars"):
                    target[field] += cell[field]
    return merged.as_dict(**extra)
