"""lm-eval's own task definitions for C-Eval, CMMLU and MMLU, read from the installed package.

Prompts, answer choices and subject descriptions come from these files so that a local-CSV run
scores exactly what a hub run of the built-in tasks scores. The files are read directly: building
lm-eval's TaskManager indexes every task of the package (~15 s) and is only needed in hub mode.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from xuanyuan.evaluate.layouts import Layout

# The keys of a built-in template that decide what is asked and how it is scored; dataset location
# and split keys are replaced by ours.
PROMPT_KEYS = ("output_type", "doc_to_text", "doc_to_choice", "doc_to_target", "target_delimiter",
               "fewshot_delimiter", "fewshot_config", "metric_list", "metadata")


def lm_eval_version() -> str:
    from importlib.metadata import version

    return version("lm_eval")


def tasks_dir() -> Path:
    import lm_eval.tasks

    return Path(lm_eval.tasks.__file__).parent


def read_task_yaml(path: Path) -> dict[str, Any]:
    """A task YAML with its `include:` chain merged (local keys win), as lm-eval merges it."""
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    includes = config.pop("include", [])
    merged: dict[str, Any] = {}
    for include in includes if isinstance(includes, list) else [includes]:
        merged.update(read_task_yaml(path.parent / include))
    merged.update(config)
    return merged


@lru_cache(maxsize=None)
def builtin_template(layout: Layout) -> dict[str, Any]:
    """The default YAML every built-in subject task of this benchmark includes (prompt keys only)."""
    config = read_task_yaml(tasks_dir() / layout.builtin_dir / layout.builtin_template)
    return {key: config[key] for key in PROMPT_KEYS if key in config}


@lru_cache(maxsize=None)
def builtin_subject_config(layout: Layout, subject: str) -> dict[str, Any] | None:
    """The merged built-in task config of one subject, or None when lm-eval has no such subject."""
    path = tasks_dir() / layout.builtin_dir / f"{layout.builtin_task.format(subject=subject)}.yaml"
    return read_task_yaml(path) if path.is_file() else None


def builtin_subjects(layout: Layout) -> list[str]:
    """Every subject lm-eval defines for this benchmark (its per-subject task files)."""
    prefix = layout.builtin_task.format(subject="")
    return sorted(p.stem[len(prefix):] for p in (tasks_dir() / layout.builtin_dir).glob(f"{prefix}*.yaml"))


# lm-eval tags MMLU subjects with the paper's four categories.
_MMLU_TAGS = {"mmlu_stem_tasks": "STEM", "mmlu_social_sciences_tasks": "Social Science",
              "mmlu_humanities_tasks": "Humanities", "mmlu_other_tasks": "Other"}


def builtin_mmlu_category(subject: str) -> str | None:
    from xuanyuan.evaluate.layouts import LAYOUTS

    config = builtin_subject_config(LAYOUTS["mmlu"], subject)
    if config is None:
        return None
    tags = config.get("tag", [])
    for tag in [tags] if isinstance(tags, str) else tags:
        if tag in _MMLU_TAGS:
            return _MMLU_TAGS[tag]
    return None
