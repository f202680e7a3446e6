import os

import pytest

from xuanyuan.errors import UserError
from xuanyuan.sources import (
    check_source_paths,
    file_doc_id,
    files_for_shard,
    glob_root,
    list_source_files,
    record_doc_id,
    shard_names,
    source_root,
    unmatched_patterns,
)


def test_glob_root():
    assert glob_root("work/raw/zh_news/**/*.html") == "work/raw/zh_news"
    assert glob_root("/data/x/*.jsonl") == "/data/x"
    assert glob_root("data/one.jsonl") == "data"


def test_listing_is_sorted_relative_and_sharded_round_robin(tmp_path):
    for name in ["b.html", "a.html", "sub/c.html", "skip.txt"]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    files = list_source_files(str(tmp_path / "**" / "*.html"))
    assert [rel for _, rel in files] == ["a.html", "b.html", "sub/c.html"]
    shards = [files_for_shard(files, i, 2) for i in range(2)]
    assert sorted(f for shard in shards for f in shard) == sorted(files)
    assert [rel for _, rel in shards[0]] == ["a.html", "sub/c.html"]


def test_ids_are_stable_and_readable():
    assert file_doc_id("zh_news", "2024/page_01.html") == "zh_news/2024/page_01.html"
    assert record_doc_id("zh_forum", "posts.jsonl", 7, "p-9") == "zh_forum/posts.jsonl#p-9"
    assert record_doc_id("zh_forum", "posts.jsonl", 7, None) == "zh_forum/posts.jsonl:7"
    assert record_doc_id("zh_forum", "posts.jsonl", 7, "  ") == "zh_forum/posts.jsonl:7"
    assert shard_names(3) == ["000", "001", "002"]


def _touch(root, *names):
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")


def test_ids_are_unique_across_suffixes_and_globs(tmp_path):
    # x.html and x.htm, and x.html under two globs' roots, used to become one id each.
    _touch(tmp_path, "g/a/x.html", "g/a/x.htm", "g/b/x.html")
    files = list_source_files([str(tmp_path / "g" / "a" / "*.htm*"), str(tmp_path / "g" / "b" / "*.html")])
    assert [rel for _, rel in files] == ["a/x.htm", "a/x.html", "b/x.html"]
    ids = [file_doc_id("web", rel) for _, rel in files]
    assert ids == ["web/a/x.htm", "web/a/x.html", "web/b/x.html"]
    assert source_root([str(tmp_path / "g" / "a" / "*"), str(tmp_path / "g" / "b" / "*")]) == str(tmp_path / "g")


def test_a_file_matched_by_two_globs_is_listed_once(tmp_path):
    _touch(tmp_path, "raw/a/x.html", "raw/b/y.html")
    files = list_source_files([str(tmp_path / "raw" / "**" / "*.html"), str(tmp_path / "raw" / "a" / "*.html")])
    assert [rel for _, rel in files] == ["a/x.html", "b/y.html"]


def test_relative_globs_give_the_same_ids_as_absolute_ones(tmp_path, monkeypatch):
    _touch(tmp_path, "raw/a/x.html", "raw/b/y.html")
    monkeypatch.chdir(tmp_path)
    relative = list_source_files(["raw/a/*.html", "./raw/b/*.html"])
    absolute = list_source_files([str(tmp_path / "raw" / "a" / "*.html"), str(tmp_path / "raw" / "b" / "*.html")])
    assert [rel for _, rel in relative] == [rel for _, rel in absolute] == ["a/x.html", "b/y.html"]
    assert [path for path, _ in relative] == ["raw/a/x.html", "./raw/b/y.html"]  # opened as the glob found it


def test_a_file_name_that_is_not_utf8_gets_a_printable_id_and_a_clash_is_named(tmp_path):
    raw = os.fsencode(str(tmp_path))
    with open(raw + b"/caf\xe9.html", "wb") as handle:
        handle.write(b"x")
    ((path, rel),) = list_source_files(str(tmp_path / "*.html"))
    assert rel == "caf\\xe9.html" and os.path.exists(path)
    rel.encode("utf-8")  # storable in a shard
    (tmp_path / "caf\\xe9.html").write_text("x")  # a real backslash: the same printable name
    with pytest.raises(UserError, match=r"both 'caf\\\\xe9.html'.*rename one of them"):
        list_source_files(str(tmp_path / "*.html"))


def test_a_glob_that_matches_no_file_is_a_user_error_naming_key_glob_and_directory(tmp_path, monkeypatch):
    _touch(tmp_path, "raw/zh/a.jsonl")
    monkeypatch.chdir(tmp_path)
    check_source_paths("zh_web", "raw/zh/*.jsonl")  # matches: nothing to say
    assert unmatched_patterns(["raw/zh/*.jsonl", "raw/zh/*.json", "raw/en/**/*.jsonl"]) == ["raw/zh/*.json", "raw/en/**/*.jsonl"]
    _touch(tmp_path, "raw/en/sub/dir.jsonl/keep")  # a directory matched by the glob is not a file
    with pytest.raises(UserError) as error:
        check_source_paths("en_web", ["raw/zh/*.jsonl", "raw/en/**/*.jsonl"], where="my.yaml")
    message = str(error.value)
    assert message.startswith("my.yaml: sources.en_web.paths: 'raw/en/**/*.jsonl' matches no file")
    assert str(tmp_path) in message and "raw/zh" not in message
