import csv

import pytest

from xuanyuan.funnel import FunnelMismatch, write_funnel
from xuanyuan.shards import write_json

CONFIG = {"seed": 1, "sources": {}}


def _stats(stage, source, shard, input_, kept, dropped_by_rule=None, lines=None):
    dropped_by_rule = dropped_by_rule or {}
    return {
        "stage": stage, "source": source, "shard": shard, "input": input_, "kept": kept,
        "dropped": sum(dropped_by_rule.values()), "chars_in": 100 * input_, "chars_out": 90 * kept,
        "dropped_by_rule": dropped_by_rule, "lines_removed_by_rule": lines or {},
        "chars_removed_by_rule": {}, "edits_by_rule": {}, "docs_edited_by_rule": {},
    }


def _write(tmp_path, entries):
    paths = {"extract": [], "clean": []}
    for index, stats in enumerate(entries):
        path = tmp_path / f"{stats['stage']}-{index}.json"
        write_json(path, stats)
        paths[stats["stage"]].append(str(path))
    return paths


def _run(tmp_path, paths):
    return write_funnel(
        paths, stages=["extract", "clean"], config=CONFIG,
        markdown_path=tmp_path / "f.md", csv_path=tmp_path / "f.csv", png_path=tmp_path / "f.png",
    )


def test_funnel_sums_shards_and_writes_tables(tmp_path):
    paths = _write(tmp_path, [
        _stats("extract", "a", "000", 10, 9, {"empty_file": 1}),
        _stats("extract", "a", "001", 10, 10),
        _stats("clean", "a", "000", 9, 7, {"min_chars": 2}, {"boilerplate_lines": 4}),
        _stats("clean", "a", "001", 10, 10),
    ])
    totals = _run(tmp_path, paths)
    assert totals[("clean", "a")].counts["kept"] == 17
    markdown = (tmp_path / "f.md").read_text()
    assert "| a | 20 | 19 | 17 | 85.0% |" in markdown
    assert "| clean | a | min_chars | 2 |" in markdown
    rows = list(csv.DictReader(open(tmp_path / "f.csv")))
    assert {"config_hash", "code_version"} <= set(rows[0])
    assert any(r["metric"] == "lines_removed_by_rule" and r["value"] == "4" for r in rows)
    assert (tmp_path / "f.png").read_bytes()[:4] == b"\x89PNG"


def test_document_lost_between_stages_fails(tmp_path):
    paths = _write(tmp_path, [
        _stats("extract", "a", "000", 10, 10),
        _stats("clean", "a", "000", 9, 9),
    ])
    with pytest.raises(FunnelMismatch, match="clean/a: input 9 != 10 kept by the previous stage"):
        _run(tmp_path, paths)


def test_document_lost_within_stage_fails(tmp_path):
    bad = _stats("extract", "a", "000", 10, 8)
    paths = _write(tmp_path, [bad, _stats("clean", "a", "000", 8, 8)])
    with pytest.raises(FunnelMismatch, match="extract/a: input 10 != kept 8 \\+ dropped 0"):
        _run(tmp_path, paths)


def _heldout(tmp_path, name, source, docs, chars, heldout_docs, heldout_chars, fraction=0.05):
    from xuanyuan.mix.heldout import HELDOUT_FORMAT

    cell = {"source": source, "lang": "zh", "domain": "general", "kind": "news"}
    counts = {"docs": docs, "chars": chars, "heldout_docs": heldout_docs, "heldout_chars": heldout_chars}
    path = tmp_path / f"heldout-{name}.json"
    write_json(path, {"format": HELDOUT_FORMAT, "input": name, "heldout_fraction": fraction, **counts,
                      "cells": [{**cell, **counts}]})
    return str(path)


def test_documents_held_out_for_evaluation_are_a_funnel_step(tmp_path):
    paths = _write(tmp_path, [
        _stats("extract", "a", "000", 10, 10),
        _stats("clean", "a", "000", 10, 8, {"min_chars": 2}),
    ])
    # clean kept 8 documents, 720 characters; the mix held out 1 (90 chars) of them.
    heldout = [_heldout(tmp_path, "a0", "a", 5, 450, 1, 90), _heldout(tmp_path, "a1", "a", 3, 270, 0, 0)]
    write_funnel(
        paths, stages=["extract", "clean"], config=CONFIG, heldout_paths=heldout,
        markdown_path=tmp_path / "f.md", csv_path=tmp_path / "f.csv", png_path=tmp_path / "f.png",
    )
    markdown = (tmp_path / "f.md").read_text()
    assert "| source | extract input | after extract | after clean | held out for evaluation | to mixing | kept of input |" in markdown
    assert "| a | 10 | 10 | 8 | 1 | 7 | 80.0% |" in markdown
    assert "| a | 8 | 1 | 90 | 7 | 630 |" in markdown  # the held-out section, with characters
    rows = {(r["stage"], r["metric"]): r["value"] for r in csv.DictReader(open(tmp_path / "f.csv"))}
    assert rows[("heldout", "heldout")] == "1" and rows[("heldout", "to_mix")] == "7"
    assert rows[("heldout", "heldout_chars")] == "90"


def test_the_mix_reading_other_documents_than_the_last_stage_kept_fails(tmp_path):
    paths = _write(tmp_path, [_stats("extract", "a", "000", 10, 10), _stats("clean", "a", "000", 10, 8, {"x": 2})])
    heldout = [_heldout(tmp_path, "a0", "a", 7, 630, 1, 90)]
    with pytest.raises(FunnelMismatch, match="held out for evaluation/a: the mix read 7 documents .630 chars., clean kept 8"):
        write_funnel(
            paths, stages=["extract", "clean"], config=CONFIG, heldout_paths=heldout,
            markdown_path=tmp_path / "f.md", csv_path=tmp_path / "f.csv", png_path=tmp_path / "f.png",
        )
