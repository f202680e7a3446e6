"""Annotated examples for the harmful-content classifier, and the held-out split.

Sources, from `quality.training.files` in config: JSONL with `{text, labels}` (labels a list of
categories, [] for clean) or the COLD CSV layout (label 1 = offensive, counted as one category).
With no files the set comes from the project's own generator (xuanyuan.corpus.labelled).
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from xuanyuan.errors import UserError


class TrainingSetError(UserError):
    """A training file is missing or has a bad record: the message names the file, the record and the fix."""


@dataclass(frozen=True)
class Example:
    text: str
    labels: tuple[str, ...]
    origin: str = ""  # file:line or generator group, for error messages and the report
    group: str = field(default="", compare=False)

    @property
    def is_clean(self) -> bool:
        return not self.labels


def _read_jsonl(path: Path, categories: Sequence[str]) -> list[Example]:
    examples = []
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, 1):
            if not line.strip():
                continue
            where = f"{path}:{line_no}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise TrainingSetError(f"{where}: not valid JSON ({exc.msg}); each line must be one {{text, labels}} object") from None
            if not isinstance(record, dict) or not isinstance(record.get("text"), str) or not record["text"].strip():
                raise TrainingSetError(f"{where}: needs a non-empty string 'text'")
            labels = record.get("labels", [])
            if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
                raise TrainingSetError(f"{where}: 'labels' must be a list of category names ([] for a clean text)")
            unknown = sorted(set(labels) - set(categories))
            if unknown:
                raise TrainingSetError(
                    f"{where}: unknown label(s) {', '.join(unknown)}; quality.categories has {', '.join(categories)}"
                )
            examples.append(Example(record["text"], tuple(sorted(set(labels))), where, str(record.get("group", ""))))
    return examples


def _read_cold_csv(path: Path, category: str | None, categories: Sequence[str]) -> list[Example]:
    if category not in categories:
        raise TrainingSetError(
            f"{path}: a cold_csv training file needs `category:` (one of {', '.join(categories)}) "
            "for its offensive rows"
        )
    examples = []
    # COLD files start with a byte-order mark, hence utf-8-sig.
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"label", "TEXT"} - set(reader.fieldnames or [])
        if missing:
            raise TrainingSetError(f"{path}: not in the COLD layout (missing column(s) {', '.join(sorted(missing))})")
        for row_no, row in enumerate(reader, 2):
            label, text = (row["label"] or "").strip(), row["TEXT"] or ""
            if label not in {"0", "1"}:
                raise TrainingSetError(f"{path}:{row_no}: label {label!r} is not 0 (safe) or 1 (offensive)")
            if text.strip():
                examples.append(Example(text, (category,) if label == "1" else (), f"{path}:{row_no}", "cold"))
    return examples


def read_training_file(spec: dict[str, Any], categories: Sequence[str]) -> list[Example]:
    """Examples of one `quality.training.files` entry."""
    path = Path(spec["path"])
    if not path.is_file():
        raise TrainingSetError(f"training file {path} does not exist; fix quality.training.files in the config")
    if spec.get("format", "jsonl") == "cold_csv":
        return _read_cold_csv(path, spec.get("category"), categories)
    return _read_jsonl(path, categories)


def generated_examples(seed: int, generated: dict[str, int], categories: Sequence[str]) -> list[Example]:
    """The default training set, written by the corpus generator (harmful, clean and hard negatives)."""
    from xuanyuan.corpus.labelled import labelled_examples

    rows = labelled_examples(
        seed,
        per_category=generated.get("per_category", 300),
        clean=generated.get("clean", 1500),
        hard_negative=generated.get("hard_negative", 300),
        categories=tuple(categories),
    )
    return [Example(row["text"], tuple(row["labels"]), f"generated:{index}", row["group"]) for index, row in enumerate(rows)]


def load_training_examples(training: dict[str, Any], categories: Sequence[str], seed: int) -> tuple[list[Example], int]:
    """All annotated examples with exact duplicate texts removed (first one wins), and how many were removed."""
    files = training.get("files") or []
    if files:
        examples = [example for spec in files for example in read_training_file(spec, categories)]
    else:
        examples = generated_examples(seed, training.get("generated", {}), categories)
    seen: set[str] = set()
    unique = []
    for example in examples:
        key = " ".join(example.text.split())
        if key not in seen:
            seen.add(key)
            unique.append(example)
    if not unique:
        raise TrainingSetError("the quality training set is empty; check quality.training in the config")
    return unique, len(examples) - len(unique)


def check_categories_covered(examples: Sequence[Example], categories: Sequence[str], training: dict[str, Any]) -> None:
    """Raise before training, not after it, when a scored category has no example in the set.

    fastText only knows the labels it saw: a category without examples would score 0 on every
    text, a filter that silently never drops for it.
    """
    seen = {label for example in examples for label in example.labels}
    missing = [category for category in categories if category not in seen]
    if not missing:
        return
    files = [str(spec["path"]) for spec in training.get("files") or []]
    where = ", ".join(files) if files else "the generated set (quality.training.generated)"
    names, them = ", ".join(missing), "them" if len(missing) > 1 else "it"
    covered = ", ".join(category for category in categories if category not in missing)
    # quality.categories needs at least one category: with none covered, adding examples is the only fix.
    instead = f", or leave {them} out of quality.categories (categories: [{covered}])" if covered else ""
    raise TrainingSetError(
        f"the quality training set ({where}) has no example labelled {names}: the classifier would never learn "
        f"to score {them}; add annotated examples of {them} to a file in quality.training.files{instead}"
    )


def with_context(examples: Sequence[Example], fraction: float, seed: int, max_context: int = 2) -> list[Example]:
    """`examples` plus, for a `fraction` of the harmful ones, a copy set between clean examples.

    On the web a harmful passage usually sits inside an ordinary page (a thread, a comment section,
    a page with navigation). Trained on bare passages only, the model learns that harmful texts are
    short and all harmful, and under-scores documents where they are one part; the copies teach it
    that the passage decides, whatever surrounds it.
    """
    rng = random.Random(seed)
    cleans = [example.text for example in examples if example.is_clean]
    if not cleans or fraction <= 0:
        return list(examples)
    extra = []
    for example in examples:
        if example.labels and rng.random() < fraction:
            before = rng.sample(cleans, min(len(cleans), rng.randint(0, max_context)))
            after = rng.sample(cleans, min(len(cleans), rng.randint(0, max_context)))
            text = "\n".join([*before, example.text, *after])
            extra.append(Example(text, example.labels, example.origin + "+context", "in_context"))
    return list(examples) + extra


def split_heldout(examples: Iterable[Example], fraction: float, seed: int) -> tuple[list[Example], list[Example]]:
    """A deterministic split, stratified by label set so rare categories appear on both sides."""
    strata: dict[tuple[str, ...], list[Example]] = defaultdict(list)
    for example in examples:
        strata[example.labels].append(example)
    train, heldout = [], []
    for labels in sorted(strata):
        members = strata[labels]
        digest = hashlib.blake2b(f"{seed}:{'|'.join(labels)}".encode(), digest_size=8).digest()
        random.Random(int.from_bytes(digest, "big")).shuffle(members)
        cut = round(len(members) * fraction)
        if len(members) > 1:
            cut = min(max(cut, 1), len(members) - 1)
        heldout.extend(members[:cut])
        train.extend(members[cut:])
    return train, heldout
