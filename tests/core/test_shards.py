import hashlib

import pytest

from xuanyuan.records import make_document
from xuanyuan.shards import read_records, write_records


def _docs(n):
    return [make_document(f"s/{i}", f"文本 {i}\n第二行", source="s", lang="zh", domain="general", kind="web") for i in range(n)]


@pytest.mark.parametrize("suffix", [".jsonl.zst", ".jsonl"])
def test_round_trip_keeps_records_and_key_order(tmp_path, suffix):
    path = tmp_path / f"shard{suffix}"
    assert write_records(path, _docs(50)) == 50
    back = list(read_records(path))
    assert back == _docs(50)
    assert list(back[0]) == ["id", "text", "source", "lang", "domain", "kind", "meta"]


def test_same_records_give_identical_bytes(tmp_path):
    first, second = tmp_path / "a.jsonl.zst", tmp_path / "b.jsonl.zst"
    write_records(first, _docs(200))
    write_records(second, _docs(200))
    assert hashlib.sha256(first.read_bytes()).digest() == hashlib.sha256(second.read_bytes()).digest()


def test_failed_write_leaves_no_partial_shard(tmp_path):
    from xuanyuan.shards import ShardWriter

    path = tmp_path / "x.jsonl.zst"
    with pytest.raises(RuntimeError):
        with ShardWriter(path) as writer:
            writer.write({"id": "a"})
            raise RuntimeError("boom")
    assert not path.exists()
    assert not list(tmp_path.iterdir())


def test_corrupt_line_names_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": 1}\n{oops\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.jsonl: line 2"):
        list(read_records(path))


def test_a_lone_surrogate_is_an_error_naming_shard_and_record_and_leaves_no_shard(tmp_path):
    path = tmp_path / "s.jsonl.zst"
    docs = _docs(2)
    docs[1]["text"] = "坏\ud800"
    with pytest.raises(ValueError, match=r"s\.jsonl\.zst: record 's/1' holds a character UTF-8 cannot store .*'\\ud800'"):
        write_records(path, docs)
    assert not path.exists()
