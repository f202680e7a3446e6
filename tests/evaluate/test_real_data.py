"""The real C-Eval (val), CMMLU (test, a few subjects) and MMLU (test) folders, offline, 5-shot.

Every question file is converted and loaded by lm-eval, and lm-eval's count of questions per
subject must equal the CSV's (counted here with the csv module, independently of the code under
test). The tiny model is scored on the first questions of each subject only (limit) for CI time;
the whole of C-Eval val takes ~50 s on 2 cores with this model (docs/evaluate.md).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from xuanyuan.evaluate import BenchmarkSpec, build_local_suite, evaluate_suite, hf_lm

CASES = {  # benchmark -> (split, subjects (None = all), file name pattern, header rows)
    "ceval": ("val", None, "{}_val.csv", 1),
    "cmmlu": ("test", ("economics", "professional_accounting", "chinese_history"), "{}.csv", 1),
    "mmlu": ("test", None, "{}_test.csv", 0),
}


def csv_count(path: Path, header_rows: int) -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        return sum(1 for row in csv.reader(handle) if row) - header_rows


@pytest.mark.parametrize("benchmark", sorted(CASES))
def test_real_folder_five_shot_counts_match_files(benchmark, shared_data, tiny_model_dir, tmp_path):
    split, subjects, pattern, header_rows = CASES[benchmark]
    folder = shared_data / benchmark
    suite = build_local_suite(BenchmarkSpec(benchmark, benchmark, str(folder), split, subjects or ()), tmp_path)
    files = sorted((folder / split).glob(pattern.format("*")))
    expected = {s: csv_count(folder / split / pattern.format(s), header_rows)
                for s in (subjects or [p.name[: -len(pattern.format(""))] for p in files])}
    record = evaluate_suite(hf_lm(tiny_model_dir, batch_size=32, device="cpu"), suite, 5, limit=2,
                            variant="base")
    assert {s: v["n_total"] for s, v in record["subjects"].items()} == expected
    assert all(v["n"] == 2 for v in record["subjects"].values())
    assert record["n_subjects"] == len(expected) and record["shots"] == 5
    known = {"ceval": {"STEM", "Social Science", "Humanities", "Other"},
             "mmlu": {"Social Science", "Other"},  # the 8 economics/business test files
             "cmmlu": {"Social Science", "Humanities", "China specific"}}[benchmark]
    assert set(record["categories"]) == known
