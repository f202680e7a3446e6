"""Turn a benchmark folder into lm-eval task YAMLs (local mode), or name lm-eval's built-in tasks (hub mode).

Local mode writes, under `work_dir/<benchmark>/`:
  data/<subject>.<split>.jsonl, data/<subject>.dev.jsonl   the checked CSV rows in the hub dataset's schema
  tasks/_default_yaml                                       lm-eval's built-in prompt keys + our data source
  tasks/<subject>.yaml                                      task name, description, absolute data paths
  tasks/_group.yaml                                         the group (micro average, weight_by_size)
  suite.json                                                what was written: subjects, counts, categories

Hub mode writes only `work_dir/<benchmark>/suite.json` (lm-eval's task names, no data): the file the
`eval_suite` rule promises and the `evaluate` rule reads, in either mode.

Why JSONL copies rather than pointing lm-eval at the CSVs: the rows are checked once here (errors
name file and row), pandas' CSV reader would turn options like "None" or "NA" into NaN, and MMLU's
hub schema (choices list, answer index) differs from its CSV columns; in the hub schema lm-eval's
own templates render unchanged. Paths are absolute because lm-eval resolves `data_files` against
the working directory of the process, not the YAML's folder.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

from xuanyuan.errors import UserError
from xuanyuan.evaluate.builtin import builtin_subjects, builtin_template
from xuanyuan.evaluate.csvdata import hub_record, read_questions
from xuanyuan.evaluate.layouts import Layout, layout_named
from xuanyuan.evaluate.settings import BenchmarkSpec
from xuanyuan.evaluate.subjects import description, folder_mapping, subject_info

SUITE_FILE = "suite.json"
TASK_PREFIX = "xuanyuan"


@dataclass(frozen=True)
class Subject:
    name: str
    task: str                       # the lm-eval task that scores it
    categories: tuple[str, ...]
    n_questions: int | None         # None in hub mode until lm-eval reports it
    n_dev: int | None
    source: str | None              # the CSV it came from (local mode)


@dataclass(frozen=True)
class Suite:
    """One benchmark ready for lm-eval: its tasks and where lm-eval finds them."""

    benchmark: str
    layout: str
    mode: str                       # local | hub
    split: str
    include_path: str | None        # folder of the generated YAMLs (local mode)
    group: str                      # the group task covering every subject
    subjects: tuple[Subject, ...]
    data_dir: str | None            # the benchmark folder (local mode)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "Suite":
        subjects = tuple(Subject(**{**s, "categories": tuple(s["categories"])}) for s in data["subjects"])
        return cls(**{**data, "subjects": subjects})


def _dump_yaml(path: Path, data: dict) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000), encoding="utf-8")


def _write_jsonl(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def _selected(available: list[str], wanted: tuple[str, ...], where: Path) -> list[str]:
    if not wanted:
        return available
    missing = [s for s in wanted if s not in available]
    if missing:
        raise UserError(f"{where}: no file for subject(s) {', '.join(missing)}; subjects there: "
                        f"{', '.join(available[:10])}{' ...' if len(available) > 10 else ''}. "
                        "Fix the subjects list in the evaluate config.")
    return list(wanted)


def build_local_suite(spec: BenchmarkSpec, work_dir: str | Path) -> Suite:
    """Check a release-layout folder and write its lm-eval tasks under `work_dir/<spec.name>/`."""
    layout = layout_named(spec.layout)
    folder = Path(spec.path).resolve()
    split = spec.split or layout.default_split
    subjects = _selected(layout.subjects_in(folder, split), spec.subjects, folder / split)
    out = Path(work_dir).resolve() / spec.name
    data_dir, task_dir = out / "data", out / "tasks"
    data_dir.mkdir(parents=True, exist_ok=True)
    task_dir.mkdir(parents=True, exist_ok=True)
    mapping = folder_mapping(folder)

    _dump_yaml(task_dir / "_default_yaml", {
        **builtin_template(layout),
        "dataset_path": "json",
        "test_split": split,
    })
    written = []
    for subject in subjects:
        source = folder / split / layout.file_name(subject, split)
        questions = read_questions(source, layout)
        _write_jsonl(data_dir / f"{subject}.{split}.jsonl", [hub_record(q, layout, subject) for q in questions])
        data_files = {split: str(data_dir / f"{subject}.{split}.jsonl")}
        dev_source = folder / "dev" / layout.file_name(subject, "dev")
        n_dev = 0
        if dev_source.is_file() and split != "dev":
            dev = read_questions(dev_source, layout)
            _write_jsonl(data_dir / f"{subject}.dev.jsonl", [hub_record(q, layout, subject) for q in dev])
            data_files["dev"] = str(data_dir / f"{subject}.dev.jsonl")
            n_dev = len(dev)
        info = subject_info(layout, subject, mapping)
        task = f"{TASK_PREFIX}_{spec.name}_{subject}"
        task_config = {"task": task, "include": "_default_yaml", "description": description(layout, subject, info),
                       # datasets' cache inside the work dir: a cluster job leaves nothing in $HOME.
                       "dataset_kwargs": {"data_files": data_files, "cache_dir": str(out / "hf_datasets_cache")}}
        if n_dev:
            task_config["fewshot_split"] = "dev"
        _dump_yaml(task_dir / f"{subject}.yaml", task_config)
        written.append(Subject(subject, task, info.categories, len(questions), n_dev, str(source)))

    group = f"{TASK_PREFIX}_{spec.name}"
    _dump_yaml(task_dir / "_group.yaml", {
        "group": group, "task": [s.task for s in written],
        "aggregate_metric_list": [{"metric": "acc", "aggregation": "mean", "weight_by_size": True}],
        "metadata": {"version": 1.0},
    })
    return write_suite(Suite(spec.name, layout.name, "local", split, str(task_dir), group, tuple(written), str(folder)),
                       work_dir)


def hub_suite(spec: BenchmarkSpec) -> Suite:
    """lm-eval's built-in tasks for a main benchmark; data come from the Hugging Face hub at run time."""
    layout: Layout = layout_named(spec.layout)
    if spec.split and spec.split != layout.default_split:
        raise UserError(f"evaluate.splits.{spec.name}: {spec.split!r}; lm-eval's built-in {layout.builtin_group} "
                        f"task scores the {layout.default_split} split. Use local mode for another split.")
    available = builtin_subjects(layout)
    subjects = _selected(available, spec.subjects, Path(layout.builtin_dir))
    mapping: dict = {}
    return Suite(spec.name, layout.name, "hub", layout.default_split, None, layout.builtin_group, tuple(
        Subject(s, layout.builtin_task.format(subject=s), subject_info(layout, s, mapping).categories, None, None, None)
        for s in subjects), None)


def write_suite(suite: Suite, work_dir: str | Path) -> Suite:
    """Write `work_dir/<benchmark>/suite.json`, what load_suite reads back; returns `suite`."""
    out = Path(work_dir).resolve() / suite.benchmark
    out.mkdir(parents=True, exist_ok=True)
    (out / SUITE_FILE).write_text(json.dumps(suite.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return suite


def build_suite(spec: BenchmarkSpec, work_dir: str | Path) -> Suite:
    """A local suite when the spec has a folder, else lm-eval's built-in hub tasks; either way its
    suite.json is written under `work_dir/<spec.name>/`."""
    return build_local_suite(spec, work_dir) if spec.path else write_suite(hub_suite(spec), work_dir)


def load_suite(path: str | Path) -> Suite:
    """A suite written by build_suite (its suite.json, or the folder holding it), local or hub."""
    path = Path(path)
    if path.is_dir():
        path = path / SUITE_FILE
    return Suite.from_json(json.loads(path.read_text(encoding="utf-8")))
