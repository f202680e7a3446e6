"""evaluate.dtype and evaluate.device, a variant's records and memory agreeing, and the suite rule's CSV inputs."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from xuanyuan.errors import UserError
from xuanyuan.evaluate import eval_settings
from xuanyuan.evaluate.settings import benchmark_files

pytestmark = pytest.mark.xdist_group("evaluate_run")


def test_dtype_and_device_values_are_checked():
    assert eval_settings({"dtype": "bfloat16", "device": "auto"}).dtype == "bfloat16"
    with pytest.raises(UserError, match=r"evaluate.dtype: 'float64'; use one of auto, float32, bfloat16, float16"):
        eval_settings({"dtype": "float64"})
    with pytest.raises(UserError, match=r"evaluate.device: 'gpu' is not a device"):
        eval_settings({"device": "gpu"})


def test_explicit_cuda_without_a_gpu_stops_before_loading(tiny_model_dir, tmp_path, monkeypatch):
    import torch

    from xuanyuan.evaluate.variant import evaluate_variant

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(UserError, match=r"evaluate.device: cuda, but torch .* sees no CUDA GPU"):
        evaluate_variant("sft2", str(tiny_model_dir), {"device": "cuda"}, [], str(tmp_path),
                         memory_path=str(tmp_path / "memory.json"))


def test_variant_in_the_configured_dtype_with_model_dir_and_one_memory(tiny_model_dir, generated_suites, tmp_path):
    from xuanyuan.evaluate.variant import evaluate_variant

    suite_dir = str(Path(generated_suites["mmlu"].include_path).parent)  # the folder of suite.json
    out = tmp_path / "records"
    memory = evaluate_variant("sft2", str(tiny_model_dir), {"dtype": "bfloat16", "limit": 1, "shots": [0, 1],
                                                             "device": "cpu"},
                              [suite_dir], str(out), memory_path=str(tmp_path / "memory.json"))
    assert memory["dtype"] == "torch.bfloat16" and memory["device"] == "cpu"
    assert json.loads((tmp_path / "memory.json").read_text()) == memory
    for shots in (0, 1):
        record = json.loads((out / f"mmlu.{shots}shot.json").read_text())
        assert record["model_dir"] == str(tiny_model_dir)
        # The record's memory is the variant's whole evaluation, the number memory.json and eval.md show.
        assert record["memory"]["peak_gb"] == memory["peak_gb"] and "peak_memory_gb" not in record
        assert record["memory"]["scope"].startswith("the variant's whole evaluation")


def _csv(path, text="id,question,A,B,C,D,answer\n"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_suite_inputs_are_the_csvs_of_configured_folders(tmp_path):
    ceval = tmp_path / "ceval"
    files = [_csv(ceval / "dev" / "a_dev.csv"), _csv(ceval / "val" / "a_val.csv"), _csv(ceval / "val" / "b_val.csv")]
    _csv(ceval / "test" / "a_test.csv")  # another split: not read, not an input
    (ceval / "val" / "notes.txt").write_text("x")
    fin = tmp_path / "fin"
    fin_files = [_csv(fin / "dev" / "x_dev.csv"), _csv(fin / "test" / "x_test.csv")]
    section = {"data_mode": "local", "data_dirs": {"ceval": str(ceval)},
               "splits": {"ceval": "val", "cmmlu": "test", "mmlu": "test"},
               "extra": {"fin": {"layout": "ceval", "path": str(fin), "split": "test"},
                         "gone": {"layout": "mmlu", "path": str(tmp_path / "missing")}}}
    assert sorted(benchmark_files(section, "ceval")) == sorted(files)
    assert sorted(benchmark_files(section, "fin")) == sorted(fin_files)
    assert benchmark_files(section, "cmmlu") == []       # generated: its manifest is the input
    assert benchmark_files(section, "gone") == []        # the job names the missing folder
    assert benchmark_files({**section, "data_mode": "hub"}, "ceval") == []
    assert sorted(benchmark_files({**section, "data_mode": "hub"}, "fin")) == sorted(fin_files)  # extras stay local
    # A new subject file becomes an input: the suite (and the evaluation) is rebuilt.
    new = _csv(ceval / "val" / "c_val.csv")
    assert new in benchmark_files(section, "ceval")


class _Named(list):
    """Snakemake's named lists (input, output, params): attributes and, for log, indexing."""

    def __init__(self, items=(), **named):
        super().__init__(items)
        self.__dict__.update(named)


def _run_script(name, **fields):
    import runpy

    from tests.conftest import REPO

    runpy.run_path(str(REPO / "workflow_scripts" / name), init_globals={"snakemake": SimpleNamespace(**fields)})


def test_the_eval_suite_job_writes_a_hub_suite_that_loads_back(tmp_path):
    """Hub mode used to write no suite.json (the rule's output): every eval_suite job failed."""
    from xuanyuan.evaluate import BenchmarkSpec, hub_suite, load_suite

    work_dir = tmp_path / "eval" / "suites"
    section = {"data_mode": "hub", "benchmarks": ["ceval", "mmlu"], "splits": {"ceval": "val", "mmlu": "test"},
               "subjects": {"mmlu": ["anatomy", "virology"]}, "shots": [0, 5]}
    for benchmark in ("ceval", "mmlu"):
        _run_script("eval_suite.py", log=[str(tmp_path / f"suite_{benchmark}.log")],
                    wildcards=SimpleNamespace(benchmark=benchmark),
                    params=_Named(evaluate=section, work_dir=str(work_dir)))
    suite = load_suite(work_dir / "mmlu" / "suite.json")
    assert suite == hub_suite(BenchmarkSpec("mmlu", "mmlu", subjects=("anatomy", "virology")))
    assert [s.task for s in suite.subjects] == ["mmlu_anatomy", "mmlu_virology"] and suite.include_path is None
    ceval = load_suite(work_dir / "ceval")  # the folder, as the evaluate rule passes it
    assert ceval.mode == "hub" and len(ceval.subjects) == 52 and ceval.subjects[0].task.startswith("ceval-valid_")


def test_a_loaded_hub_suite_is_scored_with_lm_evals_builtin_tasks(tmp_path, monkeypatch):
    """The evaluate side of hub mode, offline: lm-eval (faked) gets the built-in task names and its full
    task index, and the record is made from what it returns."""
    import lm_eval
    import lm_eval.tasks

    from xuanyuan.evaluate import BenchmarkSpec, build_suite, evaluate_suite, load_suite

    build_suite(BenchmarkSpec("cmmlu", "cmmlu", subjects=("agronomy", "anatomy")), tmp_path)
    suite = load_suite(tmp_path / "cmmlu")
    managers, calls = [], []

    class FakeTaskManager:
        def __init__(self, **kwargs):
            managers.append(kwargs)

    def samples(task):
        # Logged out of order, as lm-eval's workers may: the sheet is in question order. Option C ranked
        # first everywhere; right on the first 2 (agronomy) or 1 (anatomy) questions.
        right = 2 if task.endswith("agronomy") else 1
        return [{"doc_id": i, "doc_hash": f"{task}-{i}", "acc": float(i < right),
                 "filtered_resps": [(-2.0, False), (-1.5, False), (-0.5, True), (-3.0, False)]} for i in (3, 1, 0, 2)]

    def fake_evaluate(**kwargs):
        calls.append(kwargs)
        return {"n-samples": {t: {"effective": 4, "original": 4} for t in kwargs["tasks"]},
                "results": {t: {"acc,none": 0.5 if t.endswith("agronomy") else 0.25} for t in kwargs["tasks"]},
                "configs": {t: {"task": t} for t in kwargs["tasks"]},
                "samples": {t: samples(t) for t in kwargs["tasks"]}}

    monkeypatch.setattr(lm_eval.tasks, "TaskManager", FakeTaskManager)
    monkeypatch.setattr(lm_eval, "simple_evaluate", fake_evaluate)
    record = evaluate_suite(SimpleNamespace(device="cpu"), suite, 5, variant="sft2", cache_templates=False)
    assert calls[0]["tasks"] == ["cmmlu_agronomy", "cmmlu_anatomy"] and calls[0]["num_fewshot"] == 5
    assert managers == [{}]  # lm-eval's own index, not an include_path
    assert record["mode"] == "hub" and record["data_dir"] is None and record["n_questions"] == 8
    assert record["micro"] == pytest.approx(0.375)
    assert record["subjects"]["agronomy"]["answers"]["choices"] == "CCCC"
    assert record["subjects"]["agronomy"]["answers"]["correct"] == "1100"
    assert record["subjects"]["anatomy"]["answers"]["correct"] == "1000"


def test_logged_samples_that_do_not_add_up_to_lm_evals_accuracy_stop_the_job(tmp_path, monkeypatch):
    """A lost or misread sample would make every question-by-question count wrong without a sound."""
    import lm_eval
    import lm_eval.tasks

    from xuanyuan.evaluate import BenchmarkSpec, build_suite, evaluate_suite, load_suite

    build_suite(BenchmarkSpec("cmmlu", "cmmlu", subjects=("agronomy",)), tmp_path)
    suite = load_suite(tmp_path / "cmmlu")

    def fake_evaluate(**kwargs):
        task = kwargs["tasks"][0]
        # lm-eval says 2 of 4 right; its logged samples hold only 3 questions, 2 of them right.
        return {"n-samples": {task: {"effective": 4, "original": 4}}, "results": {task: {"acc,none": 0.5}},
                "configs": {task: {"task": task}},
                "samples": {task: [{"doc_id": i, "doc_hash": str(i), "acc": float(i < 2),
                                    "filtered_resps": [(-1.0, True), (-2.0, False)]} for i in range(3)]}}

    monkeypatch.setattr(lm_eval.tasks, "TaskManager", lambda **kwargs: None)
    monkeypatch.setattr(lm_eval, "simple_evaluate", fake_evaluate)
    with pytest.raises(RuntimeError, match=r"cmmlu_agronomy: lm-eval's logged samples \(2 right of 3\) do not match"):
        evaluate_suite(SimpleNamespace(device="cpu"), suite, 0, variant="sft2", cache_templates=False)


def test_generate_settings_are_params_only_when_a_benchmark_is_generated():
    """Editing evaluate.generate used to rerun every evaluate job even with every benchmark in data_dirs."""
    from xuanyuan.evaluate.settings import eval_params

    section = {"variants": ["sft2"], "data_mode": "local", "data_dirs": {"ceval": "/d/ceval"},
               "generate": {"seed": 0, "questions_per_subject": 30, "dev_per_subject": 5}, "shots": [0]}
    generated = eval_params(section, {"cmmlu": "work/eval/benchmarks/cmmlu", "ceval": "work/eval/benchmarks/ceval"})
    assert generated["generate"] == section["generate"] and "variants" not in generated
    assert generated["data_dirs"] == {"ceval": "/d/ceval", "cmmlu": "work/eval/benchmarks/cmmlu"}
    none_generated = eval_params(section, {})
    assert "generate" not in none_generated and none_generated["data_dirs"] == {"ceval": "/d/ceval"}
    edited = {**section, "generate": {**section["generate"], "seed": 7}}
    assert eval_params(edited, {}) == none_generated
    assert eval_settings(none_generated).shots == (0,)  # what the jobs read still parses


def test_repeated_shots_are_refused():
    with pytest.raises(UserError, match=r"evaluate.shots: \[0, 0\] repeats a setting; list each number once"):
        eval_settings({"shots": [0, 0]})


def test_records_carry_the_hash_of_their_own_evaluate_job(tiny_model_dir, generated_suites, tmp_path):
    """eval.md used to stamp every row with the hash of the whole current config."""
    import shutil

    from xuanyuan.evaluate import load_suite
    from xuanyuan.evaluate.variant import evaluate_variant, job_hash

    suite_dir = str(Path(generated_suites["mmlu"].include_path).parent)
    section = {"limit": 1, "shots": [0], "device": "cpu"}
    out = tmp_path / "records"
    evaluate_variant("sft2", str(tiny_model_dir), section, [suite_dir], str(out),
                     memory_path=str(tmp_path / "memory.json"))
    record = json.loads((out / "mmlu.0shot.json").read_text())
    suites = [load_suite(suite_dir)]
    assert record["config_hash"] == job_hash("sft2", tiny_model_dir, section, suites)
    # The job's params, the model and the suite each change it; nothing else reaches it.
    assert job_hash("sft2", tiny_model_dir, {**section, "limit": 2}, suites) != record["config_hash"]
    assert job_hash("sft2", tiny_model_dir, section, [generated_suites["ceval"]]) != record["config_hash"]
    other = tmp_path / "other_model"
    shutil.copytree(tiny_model_dir, other)
    assert job_hash("sft2", other, section, suites) != record["config_hash"]  # another path
    config = json.loads((other / "config.json").read_text())
    before = job_hash("sft2", other, section, suites)
    (other / "config.json").write_text(json.dumps({**config, "rms_norm_eps": 1e-5}))
    assert job_hash("sft2", other, section, suites) != before  # the same path, another model

    # The report prints each record's own hash; a record from before the hash (and the answer sheets)
    # were stored shows "-" and is named as not compared, with the fix.
    old = {**record, "variant": "sft1",
           "subjects": {name: {k: v for k, v in entry.items() if k != "answers"} for name, entry in record["subjects"].items()}}
    old.pop("config_hash")
    (out / "old.json").write_text(json.dumps(old))
    md = tmp_path / "eval.md"
    _run_script("eval_report.py", log=[str(tmp_path / "report.log")],
                input=_Named(records=[str(out / "mmlu.0shot.json"), str(out / "old.json")], memory=[]),
                output=_Named(markdown=str(md), csv=str(tmp_path / "eval.csv"), png=str(tmp_path / "eval.png"),
                              changes=str(tmp_path / "eval_changes.csv")),
                params=_Named(variants=["sft1", "sft2"], references={"sft2": "sft1"}))
    import csv

    rows = {r["variant"]: r for r in csv.DictReader(open(tmp_path / "eval.csv", encoding="utf-8"))}
    assert rows["SFT stage 2"]["config hash"] == record["config_hash"]
    assert rows["SFT stage 1"]["config hash"] == "-"
    assert "SFT stage 2 against SFT stage 1, MMLU 0-shot: no answer sheet" in md.read_text(encoding="utf-8")
    assert list(csv.DictReader(open(tmp_path / "eval_changes.csv", encoding="utf-8"))) == []
