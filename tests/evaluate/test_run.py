"""End to end: a tiny random Llama scored by lm-eval on the generated benchmarks; records and tables."""

from __future__ import annotations

import csv
import json

import pytest

from xuanyuan.evaluate import evaluate_model, evaluate_suite, hf_lm, read_record, write_eval_tables
from xuanyuan.evaluate.report import eval_rows

# One xdist worker runs the module, so the evaluated records are computed once.
pytestmark = pytest.mark.xdist_group("evaluate_run")

PROVENANCE = {"config_hash": "abc123def456", "code_version": "0.1.0+test"}


@pytest.fixture(scope="module")
def records(tiny_model_dir, generated_suites, tmp_path_factory):
    """Model directory route, all three benchmarks, 0- and 5-shot: one JSON each."""
    out = tmp_path_factory.mktemp("records")
    paths = evaluate_model(tiny_model_dir, list(generated_suites.values()), [0, 5], out, variant="sft2",
                           batch_size=16, device="cpu", provenance=PROVENANCE)
    return [read_record(p) for p in paths]


def test_one_record_per_benchmark_and_shots(records, generated, tiny_model_dir):
    assert sorted((r["benchmark"], r["shots"]) for r in records) == [
        (b, s) for b in ("ceval", "cmmlu", "mmlu") for s in (0, 5)]
    for r in records:
        expected = generated[r["benchmark"]]["subjects"]
        assert {s: v["n"] for s, v in r["subjects"].items()} == expected
        assert r["n_questions"] == sum(expected.values())
        accs = [v["acc"] for v in r["subjects"].values()]
        assert r["macro"] == pytest.approx(sum(accs) / len(accs))
        assert r["micro"] == pytest.approx(sum(v["acc"] * v["n"] for v in r["subjects"].values()) / r["n_questions"])
        assert r["model_dir"] == str(tiny_model_dir) and r["lm_eval_version"]
        assert r["config_hash"] == PROVENANCE["config_hash"] and r["chance"] == 0.25
        some_task = next(iter(r["task_config"]["tasks"].values()))
        assert some_task["num_fewshot"] == r["shots"] and some_task["dataset_path"] == "json"
    cmmlu = next(r for r in records if r["benchmark"] == "cmmlu")
    # CMMLU subjects count for a category and, where CMMLU says so, for China specific.
    assert cmmlu["categories"]["China specific"]["subjects"] == 2
    assert {"STEM", "Social Science"} <= set(cmmlu["categories"])
    assert set(next(r for r in records if r["benchmark"] == "mmlu")["categories"]) == {"STEM", "Social Science"}


def test_answer_sheets_follow_the_files_questions_and_lm_evals_verdicts(records, generated_suites):
    """Each subject's sheet is in the CSV's question order: a question is right exactly where the option
    the model ranked first is the file's answer letter, and the sheet adds up to lm-eval's accuracy."""
    from xuanyuan.evaluate.csvdata import read_questions
    from xuanyuan.evaluate.layouts import layout_named

    for r in records:
        suite = generated_suites[r["benchmark"]]
        for subject in suite.subjects:
            entry = r["subjects"][subject.name]
            answers = [q.answer for q in read_questions(subject.source, layout_named(suite.layout))]
            sheet = entry["answers"]
            assert len(sheet["choices"]) == len(answers) == entry["n"]
            assert sheet["correct"] == "".join("1" if c == a else "0" for c, a in zip(sheet["choices"], answers))
            assert sheet["correct"].count("1") == pytest.approx(entry["acc"] * entry["n"])
    # The same questions give the same hash in 0- and 5-shot records; another subject another one.
    zero, five = (next(r for r in records if r["benchmark"] == "mmlu" and r["shots"] == s) for s in (0, 5))
    hashes = {name: entry["answers"]["questions"] for name, entry in zero["subjects"].items()}
    assert hashes == {name: entry["answers"]["questions"] for name, entry in five["subjects"].items()}
    assert len(set(hashes.values())) == len(hashes)


def test_loaded_model_gives_the_same_scores(records, tiny_model_dir, generated_suites):
    """A model loaded elsewhere (as a quantized one is) scores exactly as its directory does."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    lm = hf_lm(model, AutoTokenizer.from_pretrained(tiny_model_dir), batch_size=16)
    record = evaluate_suite(lm, generated_suites["mmlu"], 5, variant="nf4")
    reference = next(r for r in records if r["benchmark"] == "mmlu" and r["shots"] == 5)
    assert record["subjects"] == reference["subjects"]


def test_tables_and_chart(records, tmp_path):
    int8 = [dict(r, variant="int8", micro=0.3) for r in records]
    memory = {"sft2": {"weights_gb": 0.2, "peak_gb": 0.5}, "int8": 0.1, "base": 0.2}
    write_eval_tables(records + int8, tmp_path / "eval.md", tmp_path / "eval.csv", tmp_path / "eval.png", memory,
                      references={"int8": "sft2"}, changes_csv_path=tmp_path / "eval_changes.csv")
    text = (tmp_path / "eval.md").read_text(encoding="utf-8")
    assert "Random chance is 25%" in text and "CEVAL 5-shot" in text and "abc123def456" in text
    assert "How sure a score is" in text and "95% interval %" in text and "p (chance)" in text
    # The same answer sheets under another name: nothing changed, question by question.
    with (tmp_path / "eval_changes.csv").open(encoding="utf-8") as handle:
        changes = list(csv.DictReader(handle))
    assert len(changes) == len(records) and {c["against"] for c in changes} == {"SFT stage 2"}
    assert {(c["answers changed"], c["right -> wrong"], c["wrong -> right"], c["McNemar p"]) for c in changes} == {
        ("0", "0", "0", "1.0")}
    assert "## Question by question" in text
    with (tmp_path / "eval.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["variant"] for r in rows] == ["base", "SFT stage 2", "8-bit (LLM.int8)"]  # recipe order
    assert rows[2]["memory / bf16"] == "0.5" and rows[2]["CMMLU 0-shot"] == "30.0"
    assert rows[0]["CEVAL 0-shot"] == "-"  # memory known, not yet evaluated
    assert rows[1]["code version"] == "0.1.0+test" and "MMLU 5-shot macro" in rows[1]
    sft2_mmlu = next(r for r in records if r["benchmark"] == "mmlu" and r["shots"] == 5)
    low, high = float(rows[1]["MMLU 5-shot low"]), float(rows[1]["MMLU 5-shot high"])
    assert low < 100 * sft2_mmlu["micro"] < high and rows[0]["MMLU 5-shot low"] == "-"
    assert (tmp_path / "eval.png").stat().st_size > 10_000
    header, _ = eval_rows(records)
    assert header[:5] == ["variant", "dtype", "memory GB", "memory / bf16", "peak GB"]
    json.dumps(records)  # records are plain JSON
