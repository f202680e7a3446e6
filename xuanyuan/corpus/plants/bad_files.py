"""Files the extraction stage must refuse (or, for a charset mismatch, repair): bytes, not articles."""

from __future__ import annotations

import json
import random

RULES = {
    "corrupt_pdf": ["corrupt_pdf"],
    "binary_file": ["binary_file"],
    "empty_file": ["empty_file"],
    "charset_mismatch": ["charset_mismatch"],
    "too_large": ["too_large"],
    "no_text_layer": ["no_text_layer"],
    "bad_json": ["bad_json"],
    "missing_text": ["missing_text"],
}
CATEGORIES = tuple(RULES)
# Which formats each category can take, in order of preference.
FORMATS = {
    "corrupt_pdf": ("pdf",), "binary_file": ("html",), "empty_file": ("html", "pdf", "jsonl"), "charset_mismatch": ("html",),
    "too_large": ("html",), "no_text_layer": ("pdf",), "bad_json": ("jsonl",), "missing_text": ("jsonl",),
}


def truncated(pdf_bytes: bytes) -> bytes:
    """A valid PDF cut in half: no xref, no trailer, streams broken mid-way."""
    return pdf_bytes[: len(pdf_bytes) // 2]


def binary_bytes(rng: random.Random, size: int = 4096) -> bytes:
    """Random bytes with NULs and a PNG-like magic number, as a mislabelled download looks."""
    body = bytearray(rng.randrange(256) for _ in range(size))
    for index in range(0, size, 37):
        body[index] = 0
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(body)


def huge_single_line_html(paragraphs: list[str], size_bytes: int, title: str) -> bytes:
    """An HTML page of `size_bytes` with no newline at all: every paragraph on one line."""
    head = f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head><body><article><h1>{title}</h1>'
    tail = "</article></body></html>"
    unit = "".join(f"<p>{text.replace(chr(10), ' ')}</p>" for text in paragraphs).encode("utf-8")
    budget = size_bytes - len(head.encode()) - len(tail.encode())
    repeats, remainder = divmod(max(0, budget), len(unit))
    # Cut the remainder at a tag boundary so the file stays well-formed HTML.
    cut = unit[:remainder]
    cut = cut[: cut.rfind(b"</p>") + 4] if b"</p>" in cut else b""
    filler = b" " * (budget - repeats * len(unit) - len(cut))
    return head.encode() + unit * repeats + cut + filler + tail.encode()


def broken_json_line(record: dict) -> str:
    """A record cut off mid-string, as a crashed writer leaves it."""
    text = json.dumps(record, ensure_ascii=False)
    return text[: max(10, len(text) // 2)]
