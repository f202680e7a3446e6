"""The extract stage for one shard of one source: raw files in, document records out.

Every input unit (an HTML, PDF or text file; a JSONL line) is counted once in the ledger
and ends either as a kept document or as a drop with its reason, so that
input == kept + dropped holds. A bad file never stops the shard: an unexpected exception
in a parser becomes a `parse_error` drop carrying the exception text.
"""

from __future__ import annotations

import copy
import gzip
import json
import os
import re
import zlib
from typing import Any, Callable, Iterator

import zstandard

from xuanyuan.errors import UserError
from xuanyuan.extract.encoding import decode_html, looks_binary
from xuanyuan.extract.errors import ExtractError
from xuanyuan.extract.html import extract_html
from xuanyuan.extract.pdf import extract_pdf
from xuanyuan.ledger import StageLedger, StageShard
from xuanyuan.records import Document, make_document
from xuanyuan.shards import ShardWriter
from xuanyuan.sources import file_doc_id, record_doc_id

FORMATS = ("html", "pdf", "text", "jsonl")

# Defaults of the `extract:` config section; the config schema mirrors them.
# The defaults for library use; the pipeline's come from config/schema.yaml (kept equal by a test).
DEFAULT_EXTRACT_CFG: dict[str, Any] = {
    "max_file_bytes": 64 * 1024 * 1024,  # checked before a file is read or parsed
    "max_chars": 2_000_000,  # extracted text longer than this is dropped as too_large
    "min_chars": 1,  # extracted text shorter than this is dropped as no_main_text (length rules are cleaning's)
    "max_replacement_share": 0.05,  # share of U+FFFD after decoding above which a page is a decode_error
    "html": {
        "extractor": "hybrid",
        "main_content": True,
        "prune": True,
        "tables": True,
        "comments": False,
        "post_meta": True,
        "alt_texts": False,
        "drop_ad_labels": True,
        "protect_share": 0.5,
        "rescue_min_chars": 50,
        "fast": False,
        "favor_precision": False,
        "favor_recall": False,
    },
    "pdf": {
        "tables": True,
        "formulas": True,
        "strip_headers": True,
        "header_band": 0.1,
        "header_min_share": 0.5,
        "table_strategy": "lines",
        "table_layout": True,
        "min_table_rows": 2,
        "min_table_cols": 2,
        "garbled_max_share": 0.05,
        "display_min_math_share": 0.6,
        "reject_truncated": True,
        "max_pages": None,
    },
}


def resolve_extract_cfg(extract_cfg: dict[str, Any] | None) -> dict[str, Any]:
    """Defaults filled in; an unknown key is an error naming it (a typo must not pass silently)."""
    resolved = copy.deepcopy(DEFAULT_EXTRACT_CFG)
    for key, value in (extract_cfg or {}).items():
        if key not in resolved:
            raise ValueError(f"unknown config key extract.{key}; known keys: {', '.join(sorted(resolved))}")
        if isinstance(resolved[key], dict):
            if not isinstance(value, dict):
                raise ValueError(f"config key extract.{key} must be a mapping, got {type(value).__name__}")
            for sub, sub_value in value.items():
                if sub not in resolved[key]:
                    raise ValueError(
                        f"unknown config key extract.{key}.{sub}; known keys: {', '.join(sorted(resolved[key]))}"
                    )
                resolved[key][sub] = sub_value
        else:
            resolved[key] = value
    return resolved


class _Seen:
    """Characters of one input unit as read (decoded HTML or text with its markup, a JSONL line, a
    PDF's text layer): the stage's `chars_in`. Zero for a unit never read as text (empty, too large,
    binary)."""

    __slots__ = ("chars",)

    def __init__(self) -> None:
        self.chars = 0


class _ShardIds:
    """The ids given out in one shard and where each came from: a second use is a UserError naming both.

    Ids are unique by construction (xuanyuan.sources); what is left is a JSONL file whose records
    repeat an id. Locations are kept as ints (file index, line) to keep the table small.
    """

    def __init__(self) -> None:
        self._where: dict[str, int] = {}
        self._files: list[str] = []

    def add_file(self, relpath: str) -> None:
        self._files.append(relpath)

    def claim(self, doc_id: str, line_no: int = 0) -> None:
        here = (len(self._files) - 1) << 32 | line_no
        first = self._where.setdefault(doc_id, here)
        if first != here:
            raise UserError(
                f"{self._describe(first)} and {self._describe(here)} both give the document id {doc_id!r}; "
                "ids must be unique. Give every record of a JSONL file its own \"id\" (or leave the field out, "
                "so that the line number is used), or list each file once"
            )

    def _describe(self, where: int) -> str:
        relpath, line_no = self._files[where >> 32], where & 0xFFFFFFFF
        return f"{relpath} line {line_no}" if line_no else relpath


class _Drop(Exception):
    """Internal: this unit is dropped with a reason (raised inside the per-file handlers)."""

    def __init__(self, rule: str, detail: str, value: Any = None, threshold: Any = None):
        super().__init__(detail)
        self.rule = rule
        self.detail = detail
        self.value = value
        self.threshold = threshold


def _check_size(path: str, relpath: str, cfg: dict[str, Any]) -> None:
    """The empty and size checks, which come before a file is read or parsed."""
    size = os.path.getsize(path)
    if size == 0:
        raise _Drop("empty_file", f"{relpath}: the file is empty (0 bytes); re-fetch it or remove it from the source", 0, 1)
    limit = cfg["max_file_bytes"]
    if limit and size > limit:
        raise _Drop(
            "too_large",
            f"{relpath}: {size} bytes is over extract.max_file_bytes={limit}; raise the limit or split the file",
            size,
            limit,
        )


def _read_checked(path: str, relpath: str, cfg: dict[str, Any]) -> bytes:
    _check_size(path, relpath, cfg)
    with open(path, "rb") as handle:
        return handle.read()


def _decode_checked(raw: bytes, relpath: str, cfg: dict[str, Any], seen: _Seen):
    if looks_binary(raw):
        raise _Drop(
            "binary_file",
            f"{relpath}: binary content, not text (NUL or control bytes, or a known binary signature); "
            "check what the file really is or narrow the source glob",
        )
    try:
        decoded = decode_html(raw)
    except Exception as exc:  # decoding is defensive; anything here is an undecodable file
        raise _Drop("decode_error", f"{relpath}: cannot be decoded ({type(exc).__name__}: {exc})") from None
    text = decoded.text
    seen.chars = len(text)
    bad = text.count("\ufffd")
    share = bad / len(text) if text else 0.0
    if share > cfg["max_replacement_share"]:
        raise _Drop(
            "decode_error",
            f"{relpath}: {share:.1%} of the characters could not be decoded (as {decoded.encoding}); "
            "the charset is unknown or the file is damaged",
            round(share, 4),
            cfg["max_replacement_share"],
        )
    return decoded


def _check_length(text: str, relpath: str, cfg: dict[str, Any], what: str) -> None:
    length = len(text)
    if length < cfg["min_chars"]:
        raise _Drop(
            "no_main_text",
            f"{relpath}: {what} gave {length} chars of text, fewer than extract.min_chars={cfg['min_chars']}; "
            "an index, login or media page has no main text (for HTML, extract.html.extractor: trafilatura may find some)",
            length,
            cfg["min_chars"],
        )
    if cfg["max_chars"] and length > cfg["max_chars"]:
        raise _Drop(
            "too_large",
            f"{relpath}: {length} chars of text is over extract.max_chars={cfg['max_chars']}; raise the limit or split the document",
            length,
            cfg["max_chars"],
        )


def _decode_edits(decoded) -> dict[str, int]:
    """The ledger edits of decoding: a wrong declared charset, undecodable bytes kept as U+FFFD."""
    return {"charset_mismatch": int(decoded.mismatch), "undecodable_bytes": decoded.replaced}


def _html_document(path: str, relpath: str, cfg: dict[str, Any], seen: _Seen) -> tuple[str, dict[str, Any], dict[str, int]]:
    raw = _read_checked(path, relpath, cfg)
    decoded = _decode_checked(raw, relpath, cfg, seen)
    html_cfg = cfg["html"]
    result = extract_html(decoded.text, **html_cfg)
    _check_length(result.text, relpath, cfg, f"the {result.extractor} extractor")
    meta = {
        "path": relpath,
        "title": result.title,
        "charset": decoded.encoding,
        "declared_charset": decoded.declared,
        "extractor": result.extractor,
        "tables": result.tables,
    }
    return result.text, meta, _decode_edits(decoded)


def _pdf_document(path: str, relpath: str, cfg: dict[str, Any], seen: _Seen) -> tuple[str, dict[str, Any], dict[str, int]]:
    _check_size(path, relpath, cfg)
    try:
        result = extract_pdf(path, **cfg["pdf"])
    except ExtractError as exc:
        raise _Drop(exc.reason, f"{relpath}: {_without_path(str(exc), path)}", exc.value, exc.threshold) from None
    seen.chars = len(result.text)
    _check_length(result.text, relpath, cfg, "the PDF text layer")
    meta = {
        "path": relpath,
        "title": result.meta.get("title", ""),
        "pages": result.pages,
        "tables": result.tables,
        "formulas": result.formulas,
    }
    if result.meta.get("garbled_pages"):
        meta["garbled_pages"] = result.meta["garbled_pages"]
    if result.meta.get("pages_without_text"):
        meta["pages_without_text"] = result.meta["pages_without_text"]
    if result.tables:
        meta["page_tables"] = [page["tables"] for page in result.meta["page_meta"]]
    # extract.pdf.max_pages cut the document: say so, or `pages` would pass it off as whole.
    pages_left_out = result.pages - result.meta["pages_read"]
    if pages_left_out:
        meta["pages_read"] = result.meta["pages_read"]
    return result.text, meta, {"max_pages": pages_left_out}


def _without_path(message: str, path: str) -> str:
    """Error texts start with the absolute path; the ledger names the file by its relpath."""
    prefix = f"{path}: "
    return message[len(prefix):] if message.startswith(prefix) else message


def _text_document(path: str, relpath: str, cfg: dict[str, Any], seen: _Seen) -> tuple[str, dict[str, Any], dict[str, int]]:
    raw = _read_checked(path, relpath, cfg)
    decoded = _decode_checked(raw, relpath, cfg, seen)
    text = decoded.text.replace("\r\n", "\n").replace("\r", "\n").strip()
    _check_length(text, relpath, cfg, "the text file")
    return text, {"path": relpath, "charset": decoded.encoding}, _decode_edits(decoded)


# Each returns the text, the meta and the edits made on the way ({rule: count}; 0 means none).
_FILE_HANDLERS: dict[str, Callable[[str, str, dict[str, Any], _Seen], tuple[str, dict[str, Any], dict[str, int]]]] = {
    "html": _html_document,
    "pdf": _pdf_document,
    "text": _text_document,
}


def _source_fields(source: str, source_cfg: dict[str, Any]) -> dict[str, str]:
    missing = [key for key in ("format", "lang", "domain", "kind") if not source_cfg.get(key)]
    if missing:
        raise ValueError(f"source {source!r}: its config lacks {', '.join(missing)}; add them under sources.{source}")
    if source_cfg["format"] not in FORMATS:
        raise ValueError(
            f"source {source!r}: format {source_cfg['format']!r} is not one of {', '.join(FORMATS)} (sources.{source}.format)"
        )
    return {"lang": source_cfg["lang"], "domain": source_cfg["domain"], "kind": source_cfg["kind"]}


def _extract_file(
    path: str, relpath: str, *, source: str, fields: dict[str, str], fmt: str, cfg: dict[str, Any], ledger: StageLedger,
    writer: ShardWriter, ids: _ShardIds,
) -> None:
    doc_id = file_doc_id(source, relpath)
    ids.claim(doc_id)
    seen = _Seen()
    try:
        text, meta, edits = _FILE_HANDLERS[fmt](path, relpath, cfg, seen)
    except _Drop as exc:
        drop = exc
    except OSError as exc:
        drop = _Drop("parse_error", f"{relpath}: cannot be read ({exc.strerror or exc})")
    except Exception as exc:  # a parser bug or a pathological file must not stop the shard
        drop = _Drop("parse_error", f"{relpath}: the {fmt} parser failed ({type(exc).__name__}: {exc}); please report the file")
    else:
        drop = None
    ledger.saw(chars=seen.chars)
    if drop is not None:
        ledger.drop(doc_id=doc_id, rule=drop.rule, value=drop.value, threshold=drop.threshold, detail=drop.detail, path=relpath)
        return
    doc = make_document(doc_id, text, source=source, meta=meta, **fields)
    for rule, count in edits.items():
        ledger.edit(doc_id=doc_id, rule=rule, count=count)  # a count of 0 records nothing
    ledger.keep(doc)
    writer.write(doc)


# A lone surrogate can only enter a JSONL record through a \\uD800-\\uDFFF escape (the line itself
# is valid UTF-8); JSON takes it, UTF-8 cannot write it. The cheap test comes first.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_surrogates(value: Any) -> tuple[Any, int]:
    """`value` (a parsed JSON value) with every lone surrogate in its strings and keys made U+FFFD, and how many."""
    if isinstance(value, str):
        return _SURROGATE.subn("\ufffd", value)
    if isinstance(value, list):
        items = [_without_surrogates(item) for item in value]
        return [item for item, _ in items], sum(count for _, count in items)
    if isinstance(value, dict):
        repaired, total = {}, 0
        for key, item in value.items():
            key, key_count = _without_surrogates(key)
            repaired[key], count = _without_surrogates(item)
            total += key_count + count
        return repaired, total
    return value, 0


class _JsonlRecord:
    """What one JSONL line became: its id, and a document or a drop; `surrogates` were replaced."""

    __slots__ = ("doc_id", "doc", "drop", "surrogates")

    def __init__(self, doc_id: str, doc: Document | None = None, drop: _Drop | None = None, surrogates: int = 0):
        self.doc_id, self.doc, self.drop, self.surrogates = doc_id, doc, drop, surrogates


def _jsonl_record(
    line: bytes, line_no: int, relpath: str, *, source: str, fields: dict[str, str], cfg: dict[str, Any], seen: _Seen
) -> _JsonlRecord:
    fallback_id = record_doc_id(source, relpath, line_no)
    where = f"{relpath} line {line_no}"
    limit = cfg["max_file_bytes"]
    if limit and len(line) > limit:
        return _JsonlRecord(fallback_id, drop=_Drop(
            "too_large", f"{where}: {len(line)} bytes is over extract.max_file_bytes={limit}", len(line), limit
        ))
    try:
        text_line = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        seen.chars = len(line.decode("utf-8", errors="replace"))
        return _JsonlRecord(fallback_id, drop=_Drop(
            "decode_error", f"{where}: not UTF-8 ({exc.reason} at byte {exc.start}); JSONL must be UTF-8"
        ))
    seen.chars = len(text_line)
    try:
        record = json.loads(text_line)
    except json.JSONDecodeError as exc:
        return _JsonlRecord(fallback_id, drop=_Drop("bad_json", f"{where}: not valid JSON ({exc.msg} at column {exc.colno})"))
    if not isinstance(record, dict):
        return _JsonlRecord(fallback_id, drop=_Drop(
            "bad_json", f"{where}: a JSON {type(record).__name__}, not an object with a \"text\" field"
        ))
    surrogates = 0
    if _SURROGATE_ESCAPE.search(text_line):
        record, surrogates = _without_surrogates(record)
    doc_id = record_doc_id(source, relpath, line_no, record.get("id"))
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        what = "no \"text\" field" if "text" not in record else f"an empty or non-string \"text\" ({type(text).__name__})"
        return _JsonlRecord(doc_id, drop=_Drop("missing_text", f"{where}: {what}; every record needs its text"))
    text = text.strip()
    if surrogates:
        share = text.count("\ufffd") / len(text)
        if share > cfg["max_replacement_share"]:
            return _JsonlRecord(doc_id, drop=_Drop(
                "decode_error",
                f"{where}: {share:.1%} of the text is lone UTF-16 surrogates (\\uD800-\\uDFFF escapes without their "
                "pair) or U+FFFD; the text was split inside a character when it was written, re-export it",
                round(share, 4),
                cfg["max_replacement_share"],
            ))
    try:
        _check_length(text, where, cfg, "the record")
    except _Drop as drop:
        return _JsonlRecord(doc_id, drop=drop)
    meta: dict[str, Any] = {}
    if isinstance(record.get("meta"), dict):
        meta.update(record["meta"])
    meta["path"] = relpath
    meta["line"] = line_no
    if record.get("title"):
        meta["title"] = record["title"]
    return _JsonlRecord(doc_id, make_document(doc_id, text, source=source, meta=meta, **fields), surrogates=surrogates)


def _extract_jsonl(
    path: str, relpath: str, *, source: str, fields: dict[str, str], cfg: dict[str, Any], ledger: StageLedger,
    writer: ShardWriter, ids: _ShardIds,
) -> None:
    line_no = 0
    try:
        for line_no, line in enumerate(iter_raw_lines(path), start=1):
            _extract_jsonl_line(
                line, line_no, relpath, source=source, fields=fields, cfg=cfg, ledger=ledger, writer=writer, ids=ids
            )
    except (OSError, EOFError, zlib.error, zstandard.ZstdError) as exc:
        # Unreadable, a compressed file cut off, or its deflate stream damaged (zlib.error, which is
        # no OSError): what was read is kept, the loss is one recorded drop.
        doc_id = f"{file_doc_id(source, relpath)}:after-{line_no}"
        ids.claim(doc_id, line_no + 1)
        ledger.saw()
        ledger.drop(
            doc_id=doc_id,
            rule="corrupt_file",
            detail=f"{relpath}: unreadable after line {line_no} ({type(exc).__name__}: {exc}); "
            "re-fetch or re-compress the file",
            path=relpath,
        )


_CHUNK = 1 << 20


def _zstd_lines(path: str) -> Iterator[bytes]:
    """Lines of a .zst file, frame by frame; a frame cut off before its end raises EOFError.

    zstandard's stream reader returns what it could decode and stops quietly at a cut, which
    would lose the rest of a truncated file without a trace.
    """
    decompressor = zstandard.ZstdDecompressor()
    frame = decompressor.decompressobj()
    in_frame = False
    pending = b""
    with open(path, "rb") as raw:
        while chunk := raw.read(_CHUNK):
            while chunk:
                in_frame = True
                pending += frame.decompress(chunk)
                chunk = b""
                if frame.eof:
                    chunk, in_frame = frame.unused_data, False
                    frame = decompressor.decompressobj()
            *lines, pending = pending.split(b"\n")
            for line in lines:
                yield line + b"\n"
    if in_frame:
        raise EOFError("the last zstd frame is incomplete: the file is truncated")
    if pending:
        yield pending


def iter_raw_lines(path: str) -> Iterator[bytes]:
    """A raw JSONL file as binary lines, transparently decompressing .zst and .gz."""
    if path.endswith(".zst"):
        yield from _zstd_lines(path)
        return
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as handle:
        yield from handle


def _extract_jsonl_line(
    line: bytes, line_no: int, relpath: str, *, source: str, fields: dict[str, str], cfg: dict[str, Any], ledger: StageLedger,
    writer: ShardWriter, ids: _ShardIds,
) -> None:
    """One JSONL line: kept as a document, or dropped with its line number."""
    if line_no == 1 and line.startswith(b"\xef\xbb\xbf"):
        line = line[3:]
    if not line.strip():
        return  # blank lines are not records
    seen = _Seen()
    try:
        result = _jsonl_record(line, line_no, relpath, source=source, fields=fields, cfg=cfg, seen=seen)
    except Exception as exc:  # never let one record stop the shard
        drop = _Drop("parse_error", f"{relpath} line {line_no}: {type(exc).__name__}: {exc}")
        result = _JsonlRecord(record_doc_id(source, relpath, line_no), drop=drop)
    drop = result.drop
    if drop is not None and drop.rule == "bad_json" and not line.endswith(b"\n"):
        # Only the last line lacks a newline; broken there, the file was cut off (an interrupted
        # download, copy or compression) and the records after it are lost with it.
        drop = _Drop(
            "truncated_file",
            f"{relpath}: the file ends inside the record on line {line_no}; it is truncated, re-fetch or re-compress it",
        )
    ids.claim(result.doc_id, line_no)
    ledger.saw(chars=seen.chars)
    if drop is not None:
        ledger.drop(
            doc_id=result.doc_id,
            rule=drop.rule,
            value=drop.value,
            threshold=drop.threshold,
            detail=drop.detail,
            path=relpath,
            line_no=line_no,
        )
        return
    if result.surrogates:
        # Repaired, not dropped: the edit is in the ledger under the record's id (its file and line are in meta).
        ledger.edit(doc_id=result.doc_id, rule="lone_surrogate", count=result.surrogates)
    ledger.keep(result.doc)
    writer.write(result.doc)


def extract_shard(
    files: list[tuple[str, str]],
    *,
    source: str,
    source_cfg: dict[str, Any],
    extract_cfg: dict[str, Any] | None,
    out_path: str | os.PathLike[str],
    ledger_path: str | os.PathLike[str],
    stats_path: str | os.PathLike[str],
    shard: str | int,
    max_ledger_text_chars: int | None = None,
) -> dict[str, Any]:
    """Extract the (path, relpath) files of one shard into `out_path`; returns the stage stats.

    `max_ledger_text_chars` (config `ledger.max_text_chars`) cuts the text of dropped documents kept in the ledger.
    """
    fields = _source_fields(source, source_cfg)
    fmt = source_cfg["format"]
    cfg = resolve_extract_cfg(extract_cfg)
    with StageShard(
        "extract", source, shard, out_path=out_path, ledger_path=ledger_path, stats_path=stats_path,
        max_text_chars=max_ledger_text_chars,
    ) as outputs:
        ledger, writer = outputs.ledger, outputs.writer
        ids = _ShardIds()
        for path, relpath in files:
            ids.add_file(relpath)
            if fmt == "jsonl":
                _extract_jsonl(path, relpath, source=source, fields=fields, cfg=cfg, ledger=ledger, writer=writer, ids=ids)
            else:
                _extract_file(path, relpath, source=source, fields=fields, fmt=fmt, cfg=cfg, ledger=ledger, writer=writer, ids=ids)
    return outputs.stats
