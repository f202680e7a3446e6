"""The generated task YAMLs ask exactly what lm-eval's built-in tasks ask.

The reference is lm-eval's own config of the built-in subject task, indexed by lm-eval's
TaskManager from the installed package, turned into a task over the same documents; both tasks
must then build the same 5-shot prompt (description, examples, question, answer choices).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from xuanyuan.evaluate import BenchmarkSpec, build_local_suite

# benchmark -> (lm-eval tasks folder, built-in task of a subject, a real subject, split)
BUILTIN = {"ceval": ("ceval", "ceval-valid_{}", "accountant", "val"),
           "cmmlu": ("cmmlu", "cmmlu_{}", "agronomy", "test"),
           "mmlu": ("mmlu/default", "mmlu_{}", "econometrics", "test")}


def builtin_config(benchmark: str, subject: str) -> dict:
    import lm_eval.tasks
    from lm_eval.tasks import TaskManager

    folder, task, _, _ = BUILTIN[benchmark]
    manager = TaskManager(include_path=str(Path(lm_eval.tasks.__file__).parent / folder), include_defaults=False)
    return dict(manager.task_index[task.format(subject)].cfg)


def our_task(suite, subject: str):
    from lm_eval.tasks import TaskManager

    name = next(s.task for s in suite.subjects if s.name == subject)
    manager = TaskManager(include_path=suite.include_path, include_defaults=False)
    return manager.load([name])["tasks"][name]


def builtin_task_over(config: dict, ours) -> object:
    """lm-eval's built-in config with only the data source swapped for our files."""
    from lm_eval.api.task import ConfigurableTask

    config = {k: v for k, v in config.items() if k not in ("dataset_name", "validation_split", "test_split")}
    config.update(dataset_path="json", dataset_kwargs=ours.config.dataset_kwargs, test_split=ours.config.test_split,
                  fewshot_split="dev", task=config["task"] + "_reference")
    return ConfigurableTask(config=config)


def assert_same_prompts(ours, reference, shots: int = 5) -> None:
    doc = ours.test_docs()[0]
    assert ours.config.description == reference.config.description
    assert ours.doc_to_text(doc) == reference.doc_to_text(doc)
    assert ours.doc_to_choice(doc) == reference.doc_to_choice(doc) == ["A", "B", "C", "D"]
    assert ours.doc_to_target(doc) == reference.doc_to_target(doc)
    context = ours.fewshot_context(doc, shots)
    assert context == reference.fewshot_context(doc, shots)
    answer_cue = ours.config.doc_to_text.rsplit("\n", 1)[-1]  # 答案： or Answer:
    assert context.count(answer_cue) == shots + 1  # the examples came from dev/, then the question


def raw_rows(path: Path, header: bool) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[1:] if header else rows


@pytest.mark.parametrize("benchmark", ["ceval", "cmmlu", "mmlu"])
def test_generated_subject_prompts_match_builtin_format(benchmark, generated_suites):
    """A subject lm-eval does not know: same template, description in lm-eval's generator pattern."""
    suite = generated_suites[benchmark]
    subject = suite.subjects[0].name
    ours = our_task(suite, subject)
    # Any built-in subject serves as the reference for template, delimiters and few-shot sampler.
    config = builtin_config(benchmark, BUILTIN[benchmark][2])
    reference = builtin_task_over(config, ours)
    doc = ours.test_docs()[0]
    assert ours.fewshot_context(doc, 5) == reference.fewshot_context(doc, 5).replace(
        reference.config.description, ours.config.description, 1)
    assert ours.config.description.endswith("\n\n")
    first = raw_rows(Path(suite.subjects[0].source), header=benchmark != "mmlu")[0]
    question = first[0] if benchmark == "mmlu" else first[1]
    assert ours.doc_to_text(doc).startswith(question.strip())


@pytest.mark.parametrize("benchmark", ["ceval", "cmmlu", "mmlu"])
def test_real_subject_prompts_equal_builtin(benchmark, shared_data, tmp_path):
    folder, _, subject, split = BUILTIN[benchmark]
    suite = build_local_suite(BenchmarkSpec(benchmark, benchmark, str(shared_data / benchmark), split, (subject,)),
                              tmp_path)
    ours = our_task(suite, subject)
    assert_same_prompts(ours, builtin_task_over(builtin_config(benchmark, subject), ours))
    # The converted row is the CSV row: question, options and answer unchanged.
    row = raw_rows(Path(suite.subjects[0].source), header=benchmark != "mmlu")[0]
    question, options, answer = (row[0], row[1:5], row[5]) if benchmark == "mmlu" else (row[1], row[2:6], row[6])
    doc = ours.test_docs()[0]
    assert ours.doc_to_text(doc).startswith(question.strip() + "\nA. " + options[0])
    assert ours.doc_to_target(doc) == "ABCD".index(answer)


@pytest.mark.parametrize("benchmark", ["ceval", "cmmlu", "mmlu"])
def test_hub_mode_names_builtin_tasks(benchmark):
    """Hub mode (not reachable here) runs lm-eval's own tasks: every name must exist in its index."""
    import lm_eval.tasks
    from lm_eval.tasks import TaskManager

    from xuanyuan.evaluate import BenchmarkSpec, hub_suite

    suite = hub_suite(BenchmarkSpec(benchmark, benchmark))
    folder = Path(lm_eval.tasks.__file__).parent / BUILTIN[benchmark][0]
    index = TaskManager(include_path=str(folder), include_defaults=False).task_index
    assert suite.mode == "hub" and suite.group in index
    assert {s.task for s in suite.subjects} <= set(index)
    assert len(suite.subjects) == {"ceval": 52, "cmmlu": 67, "mmlu": 57}[benchmark]
    assert all(s.categories[0] in ("STEM", "Social Science", "Humanities", "Other") for s in suite.subjects)
