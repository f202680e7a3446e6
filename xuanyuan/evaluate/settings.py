"""Evaluation settings: which benchmarks, where their data is, shots, batch size, limits.

Filled from the `evaluate:` section of the config (docs/evaluate.md has the YAML); the defaults here
are the recipe's: C-Eval val, CMMLU test, MMLU test, 0- and 5-shot, every question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

from xuanyuan.errors import UserError
from xuanyuan.evaluate.layouts import LAYOUTS, layout_named

MAIN_BENCHMARKS = ("ceval", "cmmlu", "mmlu")
DATA_MODES = ("local", "hub")
DTYPES = ("auto", "float32", "bfloat16", "float16")
DEVICE_PATTERN = re.compile(r"auto|cpu|mps|cuda(:[0-9]+)?")


@dataclass(frozen=True)
class BenchmarkSpec:
    """One benchmark to evaluate: a named folder in one of the release layouts (or a hub task)."""

    name: str                       # ceval | cmmlu | mmlu | an extra benchmark's name
    layout: str                     # ceval | cmmlu | mmlu
    path: str | None = None         # the folder with dev/ and the split's folder; None in hub mode
    split: str = ""                 # "" = the layout's default (val for C-Eval, test otherwise)
    subjects: tuple[str, ...] = ()  # empty = every subject in the folder


@dataclass(frozen=True)
class EvalSettings:
    benchmarks: tuple[str, ...] = MAIN_BENCHMARKS
    data_mode: str = "local"                 # local CSV folders | lm-eval's built-in hub tasks
    data_dirs: dict[str, str] = field(default_factory=dict)   # benchmark -> folder (local mode)
    splits: dict[str, str] = field(default_factory=lambda: {"ceval": "val", "cmmlu": "test", "mmlu": "test"})
    subjects: dict[str, list[str]] = field(default_factory=dict)  # benchmark -> subset; absent = all
    shots: tuple[int, ...] = (0, 5)
    batch_size: int = 8
    limit: int | None = None                 # questions per subject (None = all)
    dtype: str = "auto"                      # unquantized variants load in this (auto = as saved)
    device: str | None = None                # None/auto = every CUDA GPU when available, else cpu
    extra: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> {layout, path[, split, subjects]}
    # The default run's own benchmarks (xuanyuan.corpus.benchmarks.BenchmarkSettings fields).
    generate: dict[str, int] = field(default_factory=lambda: {"seed": 0, "questions_per_subject": 30,
                                                              "dev_per_subject": 5})


def eval_settings(section: dict[str, Any] | None, where: str = "evaluate") -> EvalSettings:
    """EvalSettings from a config section; unknown keys and bad values are named with the fix."""
    section = dict(section or {})
    known = {f.name for f in fields(EvalSettings)}
    unknown = sorted(set(section) - known)
    if unknown:
        raise UserError(f"{where}: unknown key(s) {', '.join(unknown)}; known keys: {', '.join(sorted(known))}")
    for key in ("benchmarks", "shots"):
        if key in section:
            section[key] = tuple(section[key])
    settings = EvalSettings(**section)
    if settings.data_mode not in DATA_MODES:
        raise UserError(f"{where}.data_mode: {settings.data_mode!r}; use one of {', '.join(DATA_MODES)}")
    for name in settings.benchmarks:
        if name not in MAIN_BENCHMARKS:
            raise UserError(f"{where}.benchmarks: {name!r} is not one of {', '.join(MAIN_BENCHMARKS)}; "
                            f"other folders go under {where}.extra with a layout and a path")
    if any(not isinstance(s, int) or s < 0 for s in settings.shots) or not settings.shots:
        raise UserError(f"{where}.shots: {list(settings.shots)}; give a list of numbers >= 0, e.g. [0, 5]")
    if len(set(settings.shots)) != len(settings.shots):
        # Each setting is one record per benchmark: a repeat would score every variant twice.
        raise UserError(f"{where}.shots: {list(settings.shots)} repeats a setting; list each number once, e.g. [0, 5]")
    if settings.dtype not in DTYPES:
        raise UserError(f"{where}.dtype: {settings.dtype!r}; use one of {', '.join(DTYPES)} "
                        "(auto = the dtype the model was saved in)")
    if settings.device is not None and not DEVICE_PATTERN.fullmatch(str(settings.device)):
        raise UserError(f"{where}.device: {settings.device!r} is not a device; use null (or auto), cpu, cuda or cuda:N")
    if settings.limit is not None and settings.limit < 1:
        raise UserError(f"{where}.limit: {settings.limit}; use null for every question or a number >= 1")
    for name, extra in settings.extra.items():
        if name in MAIN_BENCHMARKS:
            raise UserError(f"{where}.extra.{name}: the name is taken by a main benchmark; choose another")
        if not isinstance(extra, dict) or "path" not in extra or "layout" not in extra:
            raise UserError(f"{where}.extra.{name}: needs layout ({'|'.join(LAYOUTS)}) and path (a folder)")
        bad = sorted(set(extra) - {"layout", "path", "split", "subjects"})
        if bad:
            raise UserError(f"{where}.extra.{name}: unknown key(s) {', '.join(bad)}; use layout, path, split, subjects")
        layout_named(extra["layout"])
    return settings


def benchmark_specs(settings: EvalSettings) -> list[BenchmarkSpec]:
    """The main benchmarks, then the extra ones, each with its folder, split and subject subset."""
    specs = []
    for name in settings.benchmarks:
        path = settings.data_dirs.get(name)
        if settings.data_mode == "local" and not path:
            raise UserError(f"evaluate.data_dirs.{name}: no folder given for local mode; give the folder "
                            f"of the {name} release (with dev/ and {settings.splits.get(name, '<split>')}/) "
                            "or set evaluate.data_mode: hub")
        specs.append(BenchmarkSpec(name, name, path if settings.data_mode == "local" else None,
                                   settings.splits.get(name, ""), tuple(settings.subjects.get(name, ()))))
    for name, extra in settings.extra.items():
        # Extra folders are always local: they are not lm-eval built-in tasks. Their split and subjects
        # are set under extra.<name> or, like a main benchmark's, in evaluate.splits / evaluate.subjects.
        split = extra.get("split") or settings.splits.get(name, "")
        subjects = extra.get("subjects", settings.subjects.get(name, ()))
        specs.append(BenchmarkSpec(name, extra["layout"], str(extra["path"]), split, tuple(subjects)))
    return specs


def eval_params(section: Mapping[str, Any], generated_dirs: Mapping[str, str]) -> dict[str, Any]:
    """The `evaluate` and `eval_suite` rules' `evaluate` param: the validated section without `variants`
    (the rule's wildcard), with `generated_dirs` (benchmark -> the folder the pipeline generates it in)
    filled in where `data_dirs` names none.

    `generate` is left out when nothing is generated: it then shapes no data these jobs read, and
    Snakemake reruns a job whose params change, so editing it would re-evaluate every variant.
    """
    params = {key: value for key, value in section.items() if key != "variants"}
    params["data_dirs"] = {**generated_dirs, **(section.get("data_dirs") or {})}
    if not generated_dirs:
        params.pop("generate", None)
    return params


def benchmark_files(section: Mapping[str, Any], name: str) -> list[str]:
    """The CSV files of benchmark `name`'s folder as the config names it (its split's folder and dev/).

    For the `eval_suite` rule's inputs, read when the workflow is parsed: editing, adding or removing
    a CSV in a user's folder rebuilds the suite and so re-evaluates every variant on it. [] for a
    benchmark the pipeline generates (its manifest is the input), for hub mode, and for a folder that
    does not exist (the job's build_suite then says which folder is missing and how to fix it).
    `section` is the validated `evaluate` config section.
    """
    extra = (section.get("extra") or {}).get(name)
    if extra is not None:
        folder, layout = extra.get("path"), extra.get("layout")
        split = extra.get("split") or (section.get("splits") or {}).get(name) or ""
    else:
        if section.get("data_mode", "local") != "local":
            return []
        folder, layout = (section.get("data_dirs") or {}).get(name), name
        split = (section.get("splits") or {}).get(name) or ""
    if not folder or layout not in LAYOUTS:
        return []
    split = split or LAYOUTS[layout].default_split
    files: list[Path] = []
    for sub in dict.fromkeys((split, "dev")):
        directory = Path(folder) / sub
        if directory.is_dir():
            files += sorted(p for p in directory.glob("*.csv") if p.is_file())
    return [str(p) for p in files]
