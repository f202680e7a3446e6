"""The three release layouts of multiple-choice exam folders: where each split's file is, which columns it has.

C-Eval: `{split}/{subject}_{split}.csv` with header `id,question,A,B,C,D,answer` (dev adds `explanation`).
CMMLU: `{split}/{subject}.csv` with header `,Question,A,B,C,D,Answer` (first column an unnamed row index).
MMLU:  `{split}/{subject}_{split}.csv` with no header: `question,A,B,C,D,answer`.

Each layout also names lm-eval's built-in task that uses the same data, so prompts and subject
descriptions are taken from there (xuanyuan/evaluate/builtin.py), never retyped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from xuanyuan.errors import UserError

LETTERS = ("A", "B", "C", "D")


@dataclass(frozen=True)
class Layout:
    name: str                 # ceval | cmmlu | mmlu
    question_column: str      # header name of the question (C-Eval lower case, CMMLU capitalised)
    answer_column: str
    header: bool              # MMLU files have no header row
    file_suffix: bool         # `{subject}_{split}.csv` (C-Eval, MMLU) or `{subject}.csv` (CMMLU)
    default_split: str        # the split the recipe reports (C-Eval's test answers are not public)
    builtin_dir: str          # folder under lm_eval/tasks/
    builtin_template: str     # the default YAML every built-in subject task includes
    builtin_task: str         # per-subject task name, `{subject}` filled in
    builtin_group: str        # the built-in group that runs every subject (hub mode)
    lang: str                 # zh | en: the language of the fallback subject description

    def file_name(self, subject: str, split: str) -> str:
        return f"{subject}_{split}.csv" if self.file_suffix else f"{subject}.csv"

    def subject_of(self, file_name: str, split: str) -> str | None:
        """The subject a file in a split folder holds, or None for a file that is not a subject CSV."""
        if not file_name.endswith(".csv"):
            return None
        stem = file_name[: -len(".csv")]
        if not self.file_suffix:
            return stem
        suffix = f"_{split}"
        return stem[: -len(suffix)] if stem.endswith(suffix) else None

    def subjects_in(self, folder: Path, split: str) -> list[str]:
        """Sorted subjects with a file in `folder/split`; a clear error when the split folder is missing."""
        split_dir = Path(folder) / split
        if not split_dir.is_dir():
            raise UserError(
                f"{split_dir}: no such folder; a {self.name}-layout benchmark needs one folder per split "
                f"({self.name} files look like {split}/{self.file_name('<subject>', split)}). "
                f"Fix the benchmark's path or its split in the evaluate config."
            )
        subjects = sorted(s for s in (self.subject_of(p.name, split) for p in split_dir.iterdir()) if s)
        if not subjects:
            raise UserError(
                f"{split_dir}: no subject files named like {self.file_name('<subject>', split)}; "
                f"is the layout ({self.name}) right for this folder?"
            )
        return subjects


LAYOUTS: dict[str, Layout] = {
    "ceval": Layout("ceval", "question", "answer", True, True, "val", "ceval", "_default_ceval_yaml",
                    "ceval-valid_{subject}", "ceval-valid", "zh"),
    "cmmlu": Layout("cmmlu", "Question", "Answer", True, False, "test", "cmmlu", "_default_template_yaml",
                    "cmmlu_{subject}", "cmmlu", "zh"),
    "mmlu": Layout("mmlu", "question", "answer", False, True, "test", "mmlu/default", "_default_template_yaml",
                   "mmlu_{subject}", "mmlu", "en"),
}


def layout_named(name: str) -> Layout:
    if name not in LAYOUTS:
        raise UserError(f"unknown benchmark layout {name!r}; use one of {', '.join(LAYOUTS)} (evaluate config)")
    return LAYOUTS[name]
