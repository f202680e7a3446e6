"""Why an input file yields no document: each error carries the ledger drop reason."""

from __future__ import annotations


class ExtractError(Exception):
    """A file that cannot become a document; `reason` is the ledger rule name."""

    reason = "parse_error"

    def __init__(self, message: str, *, value=None, threshold=None):
        super().__init__(message)
        self.value = value
        self.threshold = threshold


class CorruptPdf(ExtractError):
    """The PDF cannot be opened or read: truncated, damaged, encrypted, or not a PDF at all."""

    reason = "corrupt_pdf"


class NoTextLayer(ExtractError):
    """No page carries text: a scanned or image-only PDF that needs OCR."""

    reason = "no_text_layer"


class GarbledTextLayer(ExtractError):
    """The text layer decodes to garbage (fonts without a usable ToUnicode map)."""

    reason = "garbled_text_layer"
