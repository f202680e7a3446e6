"""Bytes of a web page to text: BOM, then the declared charset (checked), then detection.

The declared charset is trusted only after the bytes agree with it. Two checks matter for
Chinese pages: bytes that are valid UTF-8 (and not plain ASCII) are UTF-8 whatever the page
says, because GBK text almost never forms valid UTF-8 by accident, while UTF-8 text
*does* decode "cleanly" as GBK (every UTF-8 CJK sequence is also a valid run of GBK byte
pairs) and would come out garbled. And a page declared as a single-byte charset whose
non-ASCII bytes mostly come in runs (two-byte CJK) is re-checked by detection.

A few undecodable bytes (a download cut inside the last character, one stray byte) do not
make a declaration wrong: they become U+FFFD, counted in `DecodedPage.replaced`. Detection
would read such a GBK page as Thai or Urdu.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

# Where to look for <meta charset>: WHATWG prescans 1024 bytes, but archived pages
# (the Wayback toolbar) push the original <meta> further down.
SNIFF_BYTES = 32_768
# How much of a page binary sniffing looks at.
BINARY_SNIFF_BYTES = 8192

_META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_:.\-]+)", re.I)
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9_:.\-]+)", re.I)

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Labels browsers treat as a superset (WHATWG Encoding Standard); decoding with the superset
# never loses a character that the narrower charset could hold.
_ALIASES = {"x-gbk": "gbk", "x-sjis": "shift_jis", "windows-31j": "cp932", "x-euc-jp": "euc_jp", "x-user-defined": "cp1252"}
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb18030": "gb18030",
    "hz": "gb18030",
    "iso8859_1": "cp1252",
    "ascii": "cp1252",
    "big5": "big5hkscs",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "tis_620": "cp874",
    "cp936": "gb18030",
    "iso8859_9": "cp1254",
    "iso8859_11": "cp874",
}
_UTF8 = "utf-8"
_MULTIBYTE_CJK = {"gb18030", "big5hkscs", "cp932", "cp949", "euc_jp", "iso2022_jp", "euc_jis_2004", "shift_jis_2004"}

# Bytes allowed in text besides the printable range: tab, LF, FF, CR, ESC (ISO-2022).
_TEXT_CONTROLS = {0x09, 0x0A, 0x0C, 0x0D, 0x1B}
_CONTROL_BYTES = bytes(b for b in range(32) if b not in _TEXT_CONTROLS) + b"\x7f"
_BINARY_MAGIC = (
    b"%PDF-",
    b"PK\x03\x04",
    b"\x89PNG",
    b"GIF87a",
    b"GIF89a",
    b"\xff\xd8\xff",
    b"\x1f\x8b",  # gzip: a compressed page saved under .html
    b"\x28\xb5\x2f\xfd",  # zstd
    b"BZh",
    b"\x7fELF",
    b"RIFF",
)


@dataclass(frozen=True)
class DecodedPage:
    """A decoded page and how it was decoded."""

    text: str
    encoding: str  # the Python codec used
    declared: str | None  # the charset label the page declares, as written
    mismatch: bool  # the declared charset was wrong for these bytes
    method: str  # bom | declared | utf8 | detected | fallback
    replaced: int = 0  # undecodable byte sequences that became U+FFFD


def canonical_encoding(label: str | None) -> str | None:
    """The Python codec for a charset label, widened to its superset; None when unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    name = name.replace("-", "_")
    if name in ("utf_8", "utf_8_sig"):
        return _UTF8
    if name.startswith("utf_16") or name.startswith("utf_32"):
        # A page that claims UTF-16 in an ASCII <meta> cannot be UTF-16; browsers read it as UTF-8.
        return _UTF8
    return _SUPERSETS.get(name, name)


def declared_charset(raw: bytes) -> str | None:
    """The charset label from `<meta charset>`, `<meta http-equiv ... charset=>` or `<?xml encoding>`."""
    head = raw[:SNIFF_BYTES]
    match = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii", "replace") if match else None


def looks_binary(raw: bytes) -> bool:
    """True for files that are not text: known binary signatures, NUL bytes, many control bytes."""
    head = raw[:BINARY_SNIFF_BYTES]
    if not head:
        return False
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return False  # UTF-16/32 text is full of NUL bytes
    if head.lstrip().startswith(_BINARY_MAGIC) or head.startswith(_BINARY_MAGIC):
        return True
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls / len(head) > 0.05


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode(_UTF8)
    except UnicodeDecodeError:
        return False
    return True


def _decode_replacing(raw: bytes, encoding: str) -> tuple[str, int]:
    """`raw` decoded with U+FFFD for each undecodable byte sequence, and how many there were.

    Counted against an errors="ignore" decode, not by counting U+FFFD: a page may hold the
    character itself, and a clean page must report 0.
    """
    try:
        return raw.decode(encoding), 0
    except UnicodeDecodeError:
        text = raw.decode(encoding, "replace")
        return text, len(text) - len(raw.decode(encoding, "ignore"))


def _nearly_decodes(raw: bytes, encoding: str, max_bad_share: float = 0.001) -> tuple[str, int] | None:
    """`raw` in `encoding` but for a few stray bytes (a cut-off last character, one bad byte); None when more.

    The second test keeps a wrong charset out: its U+FFFD are a sizeable share of the non-ASCII text.
    """
    text, bad = _decode_replacing(raw, encoding)
    if not bad:
        return text, 0  # clean: skip the character count, which costs a pass over the page
    non_ascii = sum(1 for ch in text if ord(ch) > 127)
    if bad <= max(2, max_bad_share * len(text)) and bad < max(1, non_ascii // 20):
        return text, bad
    return None


def _runs_of_high_bytes(text: str) -> float:
    """Share of non-ASCII chars that sit next to another non-ASCII char.

    Western text decoded with its own single-byte charset has isolated accented letters
    ("für", "élève"); CJK or UTF-8 bytes read as a single-byte charset come in runs.
    """
    flags = [ord(ch) > 127 and not ch.isspace() for ch in text]
    high = sum(flags)
    if not high:
        return 0.0
    in_run = sum(
        1
        for index, is_high in enumerate(flags)
        if is_high and ((index > 0 and flags[index - 1]) or (index + 1 < len(flags) and flags[index + 1]))
    )
    return in_run / high


def _detect(raw: bytes) -> str | None:
    best = from_bytes(raw).best()
    if best is None:
        return None
    return canonical_encoding(best.encoding)


def decode_html(raw: bytes) -> DecodedPage:
    """Decode page bytes: BOM -> declared charset (verified) -> detection -> UTF-8 with replacement."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            text, replaced = _decode_replacing(raw[len(bom):], encoding)
            return DecodedPage(text, encoding, declared_charset(raw), False, "bom", replaced)

    declared = declared_charset(raw)
    wanted = canonical_encoding(declared)

    if raw.isascii():
        # Every ASCII-compatible charset reads these bytes the same way.
        return DecodedPage(raw.decode("ascii"), wanted or _UTF8, declared, False, "declared" if wanted else "utf8")

    if _is_utf8(raw):
        return DecodedPage(raw.decode(_UTF8), _UTF8, declared, wanted not in (None, _UTF8), "utf8")

    if wanted is not None:
        try:
            declared_text = _nearly_decodes(raw, wanted)
        except LookupError:  # a label naming a codec that is not a text encoding (base64, rot13)
            declared_text = None
        if declared_text is not None:
            text, replaced = declared_text
            if wanted == _UTF8 or wanted in _MULTIBYTE_CJK or _runs_of_high_bytes(text) < 0.5:
                return DecodedPage(text, wanted, declared, False, "declared", replaced)
            # A single-byte declaration whose non-ASCII bytes come in runs: CJK mislabelled?
            detected = _detect(raw)
            if detected in _MULTIBYTE_CJK:
                try:
                    return DecodedPage(raw.decode(detected), detected, declared, True, "detected")
                except (UnicodeDecodeError, LookupError):
                    pass
            return DecodedPage(text, wanted, declared, False, "declared", replaced)

    detected = _detect(raw)
    if detected is not None:
        try:
            text, replaced = _decode_replacing(raw, detected)
        except LookupError:
            text = None
        if text is not None:
            return DecodedPage(text, detected, declared, wanted is not None and wanted != detected, "detected", replaced)
    text, replaced = _decode_replacing(raw, _UTF8)
    mismatch = wanted is not None and _nearly_decodes(raw, _UTF8) is None
    return DecodedPage(text, _UTF8, declared, mismatch, "fallback", replaced)
