"""Subject descriptions and categories (STEM, Social Science, Humanities, Other; China specific for CMMLU).

Sources, first match wins:
1. a `subject_mapping.json` in the benchmark folder, in C-Eval's format (subject -> [English name,
   Chinese name, category]) or CMMLU's (name_en2zh, subcategories, categories);
2. the published mappings shipped in subject_mappings.json (C-Eval's and CMMLU's, verbatim), and
   lm-eval's MMLU task tags;
3. "Other", and the subject id as its name.
Descriptions are lm-eval's built-in ones for the subjects it knows, otherwise its generator's pattern.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from xuanyuan.errors import UserError
from xuanyuan.evaluate.builtin import builtin_mmlu_category, builtin_subject_config
from xuanyuan.evaluate.layouts import Layout

CATEGORIES = ("STEM", "Social Science", "Humanities", "Other")
CHINA_SPECIFIC = "China specific"
MAPPING_FILE = "subject_mapping.json"

# The patterns of lm-eval's _generate_configs.py for each benchmark, for subjects it does not define.
_DESCRIPTIONS = {
    "ceval": "以下是中国关于{name}的单项选择题，请选出其中的正确答案。\n\n",
    "cmmlu": "以下是关于{name}的单项选择题，请直接给出正确答案的选项。\n\n",
    "mmlu": "The following are multiple choice questions (with answers) about {name}.\n\n",
}


@dataclass(frozen=True)
class SubjectInfo:
    name: str                     # the subject as a person reads it (Chinese for C-Eval/CMMLU)
    categories: tuple[str, ...]   # one of CATEGORIES, plus CHINA_SPECIFIC where it applies


def _parse_mapping(data: dict, source: str) -> dict[str, SubjectInfo]:
    if {"name_en2zh", "subcategories", "categories"} <= set(data):  # CMMLU's categories.py as JSON
        category_of = {sub: cat for cat, subs in data["categories"].items() for sub in subs}
        out = {}
        for subject, subs in data["subcategories"].items():
            cats = [category_of.get(s, "Other") for s in subs]
            ordered = tuple(dict.fromkeys(c for c in cats if c != CHINA_SPECIFIC)) or ("Other",)
            extra = (CHINA_SPECIFIC,) if CHINA_SPECIFIC in cats else ()
            out[subject] = SubjectInfo(data["name_en2zh"].get(subject, subject), ordered + extra)
        return out
    out = {}
    for subject, value in data.items():
        if subject.startswith("_"):
            continue
        if not (isinstance(value, list) and len(value) == 3):
            raise UserError(f"{source}: entry {subject!r} is {value!r}; C-Eval's subject_mapping.json format is "
                            "subject -> [English name, Chinese name, category]. Fix or remove the file.")
        category = value[2] if value[2] in CATEGORIES else "Other"
        out[subject] = SubjectInfo(value[1], (category,))
    return out


@lru_cache(maxsize=None)
def _packaged() -> dict[str, dict[str, SubjectInfo]]:
    data = json.loads((Path(__file__).parent / "subject_mappings.json").read_text(encoding="utf-8"))
    return {"ceval": _parse_mapping(data["ceval"], "ceval"), "cmmlu": _parse_mapping(data["cmmlu"], "cmmlu")}


def folder_mapping(folder: str | Path | None) -> dict[str, SubjectInfo]:
    """The benchmark folder's own subject_mapping.json, parsed; empty when it has none."""
    if folder is None or not (Path(folder) / MAPPING_FILE).is_file():
        return {}
    path = Path(folder) / MAPPING_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}: not valid JSON ({exc}); fix or remove the file") from exc
    return _parse_mapping(data, str(path))


def subject_info(layout: Layout, subject: str, mapping: dict[str, SubjectInfo]) -> SubjectInfo:
    if subject in mapping:
        return mapping[subject]
    known = _packaged().get(layout.name, {})
    if subject in known:
        return known[subject]
    if layout.name == "mmlu":
        category = builtin_mmlu_category(subject)
        if category:
            return SubjectInfo(subject.replace("_", " "), (category,))
    return SubjectInfo(subject.replace("_", " "), ("Other",))


def description(layout: Layout, subject: str, info: SubjectInfo) -> str:
    """The text before the few-shot examples: lm-eval's own for a subject it defines, else its pattern."""
    config = builtin_subject_config(layout, subject)
    if config is not None and "description" in config:
        return config["description"]
    # lm-eval's MMLU generator spells the subject id with spaces, whatever its display name.
    name = subject.replace("_", " ") if layout.name == "mmlu" else info.name
    return _DESCRIPTIONS[layout.name].format(name=name)
