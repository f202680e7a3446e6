"""Document filters on what a text is made of: length, script and language, broken encodings, placeholders."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from xuanyuan.clean.base import DocumentFilter, Finding, RatioFilter, TextView
from xuanyuan.clean.registry import register


@register
class Mojibake(RatioFilter):
    name = "mojibake"
    measures = "share of characters in encoding damage: 锟斤拷/烫烫烫, U+FFFD, UTF-8 read as Latin-1 (Ã© â€™), (cid:NN)"
    defaults: ClassVar[dict[str, Any]] = {"min": None, "max": 0.002}

    _DAMAGE = re.compile(
        r"(?:锟斤拷)+|(?:烫烫)+|(?:屯屯)+|\ufffd+|\(cid:\d+\)"
        # UTF-8 lead byte decoded as cp1252/Latin-1 followed by continuation bytes decoded likewise
        r"|[ÃÂÅÆÇÐÑÒÓäåæçèé][\u0080-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]{1,2}"
        r"|â€[™œ\u009d“”˜¢¦]"
    )
    _HINT = re.compile("[锟烫屯\ufffdÃÂÅÆÇÐÑÒÓäåæçèéâ]|\\(cid:")

    def measure(self, view: TextView) -> float | None:
        text = view.text
        if not text:
            return None
        if text.isascii() and "(cid:" not in text:
            return 0.0
        if not self._HINT.search(text):
            return 0.0
        return sum(len(match) for match in self._DAMAGE.findall(text)) / len(text)


@register
class LoremIpsum(RatioFilter):
    name = "lorem_ipsum"
    measures = "occurrences of 'lorem ipsum' placeholder text (C4)"
    defaults: ClassVar[dict[str, Any]] = {"min": None, "max": 0}

    _LOREM = re.compile(r"lorem\s+ipsum", re.IGNORECASE)

    def measure(self, view: TextView) -> float | None:
        if "ipsum" not in view.text.lower():
            return 0
        return len(self._LOREM.findall(view.text))


# Script of a writing system -> the language a document mostly in it would be.
_SCRIPT_LANG = {"han": "zh", "kana": "ja", "hangul": "ko", "latin": "en", "other": "other"}


@register
class LangMismatch(DocumentFilter):
    """Detects the dominant script (CJK characters weighted 2.5x against Latin letters); a document is dropped
    when that script's language differs from the declared one and the declared script has less than 35% of the
    letters, so bilingual study material stays.
    """

    name = "lang_mismatch"
    measures = "language of the dominant script (Han, kana, hangul, Latin; CJK characters weighted) vs the declared lang"
    defaults: ClassVar[dict[str, Any]] = {
        # One CJK character carries about as much text as 2-3 Latin letters.
        "cjk_weight": 2.5,
        # Japanese is Han + kana; this share of kana among Han+kana makes a text Japanese.
        "kana_share": 0.2,
        # Bilingual texts (a Chinese vocabulary list for an English exam) are not mismatches:
        # only a declared script below this share of the (weighted) letters is.
        "min_declared_share": 0.35,
        "min_letters": 20,
    }

    def detect(self, view: TextView) -> tuple[str, dict[str, float]]:
        counts = view.char_counts
        kana = counts.kana * self.cjk_weight
        han = counts.cjk * self.cjk_weight
        scores = {
            "han": han,
            "kana": kana,
            "hangul": counts.hangul * self.cjk_weight,
            "latin": float(counts.latin),
            "other": float(counts.other_letters - counts.kana - counts.hangul),
        }
        total = sum(scores.values()) or 1.0
        shares = {script: round(score / total, 3) for script, score in scores.items()}
        if kana and kana / (kana + han) >= self.kana_share:
            return "ja", shares
        top = max(scores, key=lambda script: scores[script])
        if top == "kana":
            return "ja", shares
        return _SCRIPT_LANG[top], shares

    def check(self, view: TextView) -> Finding | None:
        if view.char_counts.letters < self.min_letters:
            return None
        detected, shares = self.detect(view)
        declared = {"zh": shares["han"], "en": shares["latin"]}.get(view.lang, 0.0)
        if detected == view.lang or (detected in ("zh", "en") and declared >= self.min_declared_share):
            return None
        detail = ", ".join(f"{script} {share}" for script, share in shares.items() if share)
        return Finding(detected, f"== {view.lang}", detail)


@register
class CjkRatio(RatioFilter):
    """A loose floor (0.15 of letters) for Chinese sources: English vocabulary lists with Chinese glosses pass,
    an English page mislabelled as Chinese does not.
    """

    name = "cjk_ratio"
    measures = "CJK characters / all letters (Chinese sources)"
    defaults: ClassVar[dict[str, Any]] = {"min": 0.15, "max": None, "min_letters": 20}
    langs = ("zh",)

    def measure(self, view: TextView) -> float | None:
        counts = view.char_counts
        if counts.letters < self.min_letters:
            return None
        return counts.cjk / counts.letters
