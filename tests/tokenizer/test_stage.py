import json

import pytest

from tests.tokenizer.helpers import chinese_docs, english_docs, schema_defaults
from xuanyuan.records import make_document
from xuanyuan.shards import write_records
from xuanyuan.tokenizer import TokenizerSettings, build_tokenizer, compression_rows, processor, write_report


def _settings(**changes):
    section = schema_defaults()
    section["standin"]["vocab_size"] = 600
    section["add_chars"] = 80
    section["heldout_fraction"] = 0.3
    section.update(changes)
    return TokenizerSettings.from_config(section)


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    root = tmp_path_factory.mktemp("shards")
    en = [make_document(f"en-{i}", text, source="web", lang="en", domain="general", kind="web")
          for i, text in enumerate(english_docs(200))]
    zh = [make_document(f"zh-{i}", text, source="news", lang="zh", domain="finance", kind="news")
          for i, text in enumerate(chinese_docs() * 3)]
    write_records(root / "en.jsonl.zst", en)
    write_records(root / "zh.jsonl.zst", zh)
    return [root / "en.jsonl.zst", root / "zh.jsonl.zst"]


def test_stage_writes_directory_and_report(tmp_path, shards):
    settings = _settings()
    meta = build_tokenizer(shards, tmp_path / "tok", settings=settings, standin_dir=tmp_path / "standin")
    assert sorted(p.name for p in (tmp_path / "tok").iterdir()) == [
        "special_tokens_map.json", "tokenizer.json", "tokenizer.model", "tokenizer_config.json", "xuanyuan_tokenizer.json"
    ]
    assert json.loads((tmp_path / "tok" / "xuanyuan_tokenizer.json").read_text()) == meta
    assert meta["base"]["label"] == "standin" and meta["base_vocab_size"] == 600
    assert 0 < meta["added_chars_count"] <= 80 and meta["padded_vocab_size"] % 64 == 0

    rows = compression_rows(shards, tmp_path / "tok", settings=settings)
    assert {row["set"] for row in rows} == {"en/general", "zh/finance"}
    capped = compression_rows(shards, tmp_path / "tok", settings=settings, max_docs_per_set=2)
    assert [row["before"]["docs"] for row in capped] == [2, 2]
    en = next(row for row in rows if row["set"] == "en/general")
    assert en["before"] == en["after"]
    write_report(tmp_path / "tokenizer.md", rows, meta, config_hash="abc", code_version="0+x", csv_path=tmp_path / "t.csv")
    report = (tmp_path / "tokenizer.md").read_text()
    assert "config `abc`" in report and "| zh/finance |" in report
    assert (tmp_path / "t.csv").read_text().count("abc") == 4


def test_given_base_model_is_used_and_checked(tmp_path, shards, tiny):
    meta = build_tokenizer(shards, tmp_path / "tok", settings=_settings(base_model=str(tiny.base)), standin_dir=tmp_path / "s")
    assert meta["base"]["label"] == "base_model" and not (tmp_path / "s").exists()
    assert processor(tmp_path / "tok" / "tokenizer.model").piece_size() == meta["vocab_size"]
    with pytest.raises(ValueError, match="does not exist"):
        build_tokenizer(shards, tmp_path / "x", settings=_settings(base_model=str(tmp_path / "nope.model")), standin_dir=tmp_path)


def test_missing_settings_and_fields_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="tokenizer.add_chars"):
        TokenizerSettings.from_config({k: v for k, v in schema_defaults().items() if k != "add_chars"})
    section = schema_defaults()
    del section["standin"]["vocab_size"]
    with pytest.raises(ValueError, match="tokenizer.standin.vocab_size"):
        TokenizerSettings.from_config(section)
    write_records(tmp_path / "bad.jsonl.zst", [{"id": "x", "text": "hi"}])
    with pytest.raises(ValueError, match="bad.jsonl.zst.*'lang'"):
        build_tokenizer([tmp_path / "bad.jsonl.zst"], tmp_path / "tok", settings=_settings(), standin_dir=tmp_path)
