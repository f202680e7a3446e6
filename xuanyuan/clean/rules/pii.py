"""Sentence-level PII masks: resident ID numbers, mobile numbers, bank cards, e-mail addresses, URLs.

Each rule replaces a match with a placeholder and reports only how many it masked; masked
values never reach the ledger. Numbers are checked (ID checksum, Luhn, plausible dates and
prefixes) and must stand alone (not inside a longer run of digits), because a finance corpus
is full of long numbers that are not personal data: amounts, stock codes, dates, order ids.
"""

from __future__ import annotations

import datetime
import re
from typing import Any, Callable, ClassVar

from xuanyuan.checksums import id_card_checksum_ok, luhn_ok
from xuanyuan.clean.base import Level, Rewrite, TextView, per_lang
from xuanyuan.clean.registry import register
from xuanyuan.clean.rules.lines import URL_RE


class PiiRewrite(Rewrite):
    level: ClassVar[Level] = "sentence"
    # The pipeline also runs PII rules over removed lines before they are written to the ledger.
    masks_pii: ClassVar[bool] = True

    def placeholder_for(self, view: TextView) -> str:
        return per_lang(self.placeholder, view.lang) or ""

    def mask_matches(
        self, pattern: re.Pattern[str], text: str, view: TextView, accept: Callable[[re.Match[str]], bool]
    ) -> tuple[str, int]:
        """Replace the matches of `pattern` that `accept` confirms (checksum, date, ...) by the placeholder."""
        placeholder = self.placeholder_for(view)
        count = 0

        def mask(match: re.Match[str]) -> str:
            nonlocal count
            if not accept(match):
                return match.group(0)
            count += 1
            return placeholder

        return pattern.sub(mask, text), count


# Province-level codes of GB/T 2260 (first two digits of a resident ID).
_PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83 91".split()
)


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


@register
class PiiIdCard(PiiRewrite):
    name = "pii_id_card"
    measures = "Chinese resident ID numbers with a valid region, birth date and GB 11643 checksum (masked)"
    defaults: ClassVar[dict[str, Any]] = {
        "placeholder": {"zh": "[身份证号]", "en": "[ID_NUMBER]"},
        "old_format": False,  # 15-digit pre-1999 numbers carry no checksum: many false positives
        "min_birth_year": 1900,
        "max_birth_year": 2030,
    }

    _ID18 = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{4})(\d{2})(\d{2})\d{3}[\dXx](?![0-9A-Za-z])")
    _ID15 = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{2})(\d{2})(\d{2})\d{3}(?![0-9A-Za-z])")
    # Cheap pre-checks: a pattern led by a lookbehind is tried at every position, these are not.
    _GATE18 = re.compile(r"\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d")
    _GATE15 = re.compile(r"\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d")

    def _plausible(self, region: str, year: int, month: int, day: int) -> bool:
        return region[:2] in _PROVINCES and self.min_birth_year <= year <= self.max_birth_year and _valid_date(year, month, day)

    def _valid18(self, match: re.Match[str]) -> bool:
        region, year, month, day = match.group(1), int(match.group(2)), int(match.group(3)), int(match.group(4))
        return self._plausible(region, year, month, day) and id_card_checksum_ok(match.group(0))

    def _valid15(self, match: re.Match[str]) -> bool:
        region, year, month, day = match.group(1), 1900 + int(match.group(2)), int(match.group(3)), int(match.group(4))
        return self._plausible(region, year, month, day)

    def rewrite(self, text: str, view: TextView) -> tuple[str, int]:
        count = 0
        if self._GATE18.search(text):
            text, count = self.mask_matches(self._ID18, text, view, self._valid18)
        if self.old_format and self._GATE15.search(text):
            text, old = self.mask_matches(self._ID15, text, view, self._valid15)
            count += old
        return text, count


@register
class PiiMobile(PiiRewrite):
    name = "pii_mobile"
    measures = "mainland mobile numbers 1[3-9]x-xxxx-xxxx, optional +86/0086 prefix and space/dash groups (masked)"
    defaults: ClassVar[dict[str, Any]] = {"placeholder": {"zh": "[手机号]", "en": "[PHONE]"}}

    _MOBILE = re.compile(
        r"(?<![0-9A-Za-z.+\-])(?:(?:\+|00)?86[ \-]?)?(1[3-9]\d)([ \-]?)(\d{4})\2(\d{4})"
        # not part of a longer number, a decimal, or an amount/quantity (13500000000元)
        r"(?![0-9A-Za-z]|[.,]\d|\s*(?:元|万|亿|股|手|份|倍|美元|港元|%|％))"
    )

    _GATE = re.compile(r"1[3-9]\d[ \-]?\d{4}[ \-]?\d{4}")

    def rewrite(self, text: str, view: TextView) -> tuple[str, int]:
        if not self._GATE.search(text):
            return text, 0
        # 13500000000, 18888888888: amounts and fillers, not numbers of a person
        return self.mask_matches(self._MOBILE, text, view, lambda match: len(set(match.group(3) + match.group(4))) > 2)


@register
class PiiBankCard(PiiRewrite):
    name = "pii_bank_card"
    measures = "payment card numbers: 16-19 digits, optional groups of 4, valid Luhn, card-network first digit (masked)"
    defaults: ClassVar[dict[str, Any]] = {"placeholder": {"zh": "[银行卡号]", "en": "[CARD_NUMBER]"}, "first_digits": "34569"}

    _CARD = re.compile(
        r"(?<![0-9A-Za-z.,\-])"
        r"(?:\d{16,19}|\d{4}(?: \d{4}){3}(?: \d{1,3})?|\d{4}(?:-\d{4}){3}(?:-\d{1,3})?)"
        r"(?![0-9A-Za-z]|[.,]\d|[ \-]\d)"
    )

    _GATE = re.compile(r"\d\d\d\d[ \-]?\d\d\d\d[ \-]?\d\d\d\d[ \-]?\d\d\d\d")

    def rewrite(self, text: str, view: TextView) -> tuple[str, int]:
        if not self._GATE.search(text):
            return text, 0
        return self.mask_matches(self._CARD, text, view, self._valid_card)

    def _valid_card(self, match: re.Match[str]) -> bool:
        digits = match.group(0).replace(" ", "").replace("-", "")
        return 16 <= len(digits) <= 19 and digits[0] in self.first_digits and luhn_ok(digits)


@register
class PiiEmail(PiiRewrite):
    name = "pii_email"
    measures = "e-mail addresses (masked)"
    defaults: ClassVar[dict[str, Any]] = {"placeholder": {"zh": "[邮箱]", "en": "[EMAIL]"}}

    _EMAIL = re.compile(
        r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}@"
        r"(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9\-])"
    )

    def rewrite(self, text: str, view: TextView) -> tuple[str, int]:
        if "@" not in text:
            return text, 0
        return self._EMAIL.subn(self.placeholder_for(view), text)


@register
class PiiUrl(PiiRewrite):
    name = "pii_url"
    measures = "URLs inside text (masked by default; mode: mask | remove | domain)"
    defaults: ClassVar[dict[str, Any]] = {"placeholder": {"zh": "[网址]", "en": "[URL]"}, "mode": "mask"}
    masks_pii: ClassVar[bool] = False  # URLs are not personal data; they are kept in the ledger's removed lines

    _MODES = ("mask", "remove", "domain")
    _DOMAIN = re.compile(r"^(?:(?:https?|ftp)://)?([^/?#:]+)", re.IGNORECASE)

    def setup(self) -> None:
        if self.mode not in self._MODES:
            raise ValueError(f"cleaning rule '{self.name}': mode is {self.mode!r}; allowed: {', '.join(self._MODES)}")

    def rewrite(self, text: str, view: TextView) -> tuple[str, int]:
        if "://" not in text and "www." not in text and "WWW." not in text:
            return text, 0
        placeholder = self.placeholder_for(view)
        count = 0

        def replace(match: re.Match[str]) -> str:
            nonlocal count
            url = match.group(0)
            stripped = url.rstrip(".,;:!?)]}'\"")
            tail = url[len(stripped) :]
            count += 1
            if self.mode == "remove":
                return tail
            if self.mode == "domain":
                domain = self._DOMAIN.match(stripped)
                return (domain.group(1) if domain else placeholder) + tail
            return placeholder + tail

        return URL_RE.sub(replace, text), count
