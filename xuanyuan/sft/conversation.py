"""The one shape every instruction record is normalised to, whatever file format it came from."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

Turn = tuple[str, str]  # (question, answer)


@dataclass(frozen=True)
class Conversation:
    """A system message (None: the released default), the (question, answer) turns, and provenance.

    `turns` is a tuple so conversations are hashable and can't be changed after validation.
    `domain` (general|finance), `category` and `lang` are optional labels that the mixer groups by.
    """

    system: str | None
    turns: tuple[Turn, ...]
    source: str
    id: str
    domain: str | None = None
    category: str | None = None
    lang: str | None = None

    def _content(self) -> bytes:
        return json.dumps([self.system, [list(turn) for turn in self.turns]], ensure_ascii=False).encode("utf-8")

    def fingerprint(self) -> str:
        """A hash of the content only (system + turns): equal for exact repeats from any file."""
        return hashlib.sha1(self._content()).hexdigest()

    def digest(self) -> bytes:
        """16 bytes of the content only, for finding exact repeats among millions without keeping the text
        (a chance collision at 10^7 conversations: ~10^-25)."""
        return hashlib.blake2b(self._content(), digest_size=16).digest()

    def to_record(self) -> dict:
        """A JSON-ready dict (the form conversations are stored in between stages)."""
        return {
            "id": self.id,
            "source": self.source,
            "domain": self.domain,
            "category": self.category,
            "lang": self.lang,
            "system": self.system,
            "turns": [list(turn) for turn in self.turns],
        }

    @classmethod
    def from_record(cls, record: dict) -> "Conversation":
        """The inverse of `to_record` (no validation: stored conversations were validated on ingestion)."""
        return cls(
            system=record.get("system"),
            turns=tuple((q, a) for q, a in record["turns"]),
            source=record["source"],
            id=record["id"],
            domain=record.get("domain"),
            category=record.get("category"),
            lang=record.get("lang"),
        )
