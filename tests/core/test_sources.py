from xuanyuan.sources import file_doc_id, files_for_shard, glob_root, list_source_files, record_doc_id, shard_names


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
    assert file_doc_id("zh_news", "2024/page_01.html") == "zh_news/2024/page_01"
    assert record_doc_id("zh_forum", "posts.jsonl", 7, "p-9") == "zh_forum/p-9"
    assert record_doc_id("zh_forum", "posts.jsonl", 7, None) == "zh_forum/posts#L7"
    assert shard_names(3) == ["000", "001", "002"]
