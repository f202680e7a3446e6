"""A tiny template language for composing sentences: `{slot}` and inline choices `[a|b|c]`.

After the choices, common words of the fixed text are swapped for synonyms (synonyms.py).

Choices are resolved first (they may contain slots), then slots, left to right, so that the
random draws happen in a fixed order and a seed always gives the same text.
"""

from __future__ import annotations

import random
import re
from typing import Callable, Mapping, Sequence, Union

from xuanyuan.corpus.synonyms import vary

Slot = Union[str, Callable[[], str]]
Slots = Mapping[str, Slot]

_CHOICE = re.compile(r"\[([^\[\]]*)\]")
_SLOT = re.compile(r"\{(\w+)\}")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def fill(template: str, rng: random.Random, slots: Slots) -> str:
    """One sentence from `template`; a missing slot is a programming error naming the template."""
    text = template
    while "[" in text:  # innermost choices first, so choices may nest
        resolved = _CHOICE.sub(lambda match: rng.choice(match.group(1).split("|")), text)
        if resolved == text:
            break
        text = resolved
    text = vary(text, rng, "zh" if _CJK.search(text) else "en")

    def resolve(match: re.Match[str]) -> str:
        name = match.group(1)
        try:
            value = slots[name]
        except KeyError:
            raise KeyError(f"template {template!r} uses slot {{{name}}}, which the composer does not provide") from None
        return value() if callable(value) else value

    return _SLOT.sub(resolve, text)


def fill_many(templates: Sequence[str], k: int, rng: random.Random, slots: Slots, ordered: bool = False) -> list[str]:
    """`k` sentences from distinct templates; `ordered` keeps the pool's order (chronologies)."""
    indices = rng.sample(range(len(templates)), min(k, len(templates)))
    if ordered:
        indices.sort()
    return [fill(templates[index], rng, slots) for index in indices]


class TemplateDeck:
    """Templates dealt without replacement across one document.

    When the deck runs out it deals from `fallback` (another deck), and only when that is empty
    too does it reshuffle, so a document repeats a sentence pattern only if it outgrows both.
    """

    def __init__(self, templates: Sequence[str], rng: random.Random, fallback: "TemplateDeck | None" = None):
        self._templates = list(templates)
        self._rng = rng
        self._deck = self._templates[:]
        self._rng.shuffle(self._deck)
        self._fallback = fallback

    def __len__(self) -> int:
        return len(self._deck)

    def draw(self) -> str:
        if not self._deck and self._fallback is not None and len(self._fallback):
            return self._fallback.draw()
        if not self._deck:
            self._deck = self._templates[:]
            self._rng.shuffle(self._deck)
        return self._deck.pop()

    def sentences(self, k: int, slots: Slots) -> list[str]:
        return [fill(self.draw(), self._rng, slots) for _ in range(k)]
