"""Chunked reading gives what reading the whole file gave: the same records, lines, and errors at the same place."""

from __future__ import annotations

import json

import pytest

from xuanyuan.errors import UserError
from xuanyuan.sft import jsonstream
from xuanyuan.sft.ingest import read_records
from xuanyuan.sft.jsonstream import ArrayError, array_items, text_lines

ARRAYS = [
    '[{"instruction": "什么是债券？", "output": "债券是一种债务凭证。"}, 12345, -1.5e3, "x\\u00e9", [1, [2]], true, null]',
    ' \n[\n  {"a": "市盈率"},\n  67890\n]\n',
    "[]",
    "[ ]  \n",
]
BROKEN = [
    '[{"instruction": "q", "output": "a"},\n {"instruction": "q2" "output": "b"}]\n',
    "[1,]", "[1 2]", "[1,2", "[", '[{"a": 1}]x', '[{"a" 1}]', '[\n  {"a": "市盈率" }\n  {"b": 2}]', '[1, 2]\n\n  ]',
    '[\n"unterminated', "[tru]",
]


@pytest.fixture(params=[1, 2, 3, 7, 1 << 20], ids=lambda n: f"chunk{n}")
def chunk(request, monkeypatch):
    monkeypatch.setattr(jsonstream, "CHUNK", request.param)
    return request.param


@pytest.mark.parametrize("text", ARRAYS)
def test_array_elements_are_those_of_json_loads(text, chunk, tmp_path):
    path = tmp_path / "a.json"
    path.write_text(text, encoding="utf-8")
    assert [value for _, value in array_items(path)] == json.loads(text)


@pytest.mark.parametrize("text", BROKEN)
def test_array_errors_are_placed_as_json_loads_places_them(text, chunk, tmp_path):
    path = tmp_path / "a.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(text)
    with pytest.raises(ArrayError) as got:
        list(array_items(path))
    assert (got.value.msg, got.value.lineno, got.value.colno) == (expected.value.msg, expected.value.lineno,
                                                                  expected.value.colno)


def test_lines_are_numbered_as_splitlines_numbers_them(chunk, tmp_path):
    text = '{"q": "a"}\r\n\n{"q": "b\u2028c"}\n  \n{"q": "市"}'
    path = tmp_path / "a.jsonl"
    path.write_bytes(text.encode("utf-8"))
    assert list(text_lines(path)) == list(enumerate(text.splitlines()))


def _whole_file_utf8_error(raw: bytes) -> tuple[int, int, int]:
    """(line, byte, value) as the old whole-file read reported a non-UTF-8 byte, with its BOM slip fixed: it
    placed an error of a file with a BOM 3 bytes early (utf-8-sig counts from after the BOM)."""
    bom = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    try:
        raw[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        start = exc.start + bom
        line = raw.count(b"\n", 0, start) + 1
        return line, start - (raw.rfind(b"\n", 0, start) + 1) + 1, raw[start]
    raise AssertionError("valid UTF-8")


@pytest.mark.parametrize("raw", [
    b'{"q": "a"}\n' + '{"q": "市盈率"}'.encode("gbk") + b"\n",
    b'["ok",\n "\xe5\xb8\x82\xff"]',
    b"\xef\xbb\xbf" + b'{"q": 1}\n{"q": "\xe5\xb8"}',  # a BOM, then a character cut at the end of the file
    b"[1,\n2,\n3]\n\x80",
])
def test_a_non_utf8_byte_is_reported_where_the_whole_file_read_reported_it(raw, chunk, tmp_path):
    path = tmp_path / "bad.json"
    path.write_bytes(raw)
    line, byte, value = _whole_file_utf8_error(raw)
    with pytest.raises(UserError, match=rf"bad.json: line {line}, byte {byte}: not UTF-8 text \(byte 0x{value:02x}"):
        list(read_records(path))


def test_a_utf8_error_later_in_the_file_wins_over_a_json_error(chunk, tmp_path):
    path = tmp_path / "both.json"
    path.write_bytes(b'[1 2,\n"\xff"]')  # a syntax error first, a non-UTF-8 byte after it
    with pytest.raises(UserError, match="line 2, byte 2: not UTF-8"):
        list(read_records(path))
