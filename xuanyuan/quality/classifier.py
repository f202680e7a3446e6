"""Training, saving and scoring the harmful-content classifier with fastText.

One model, one-vs-all loss: every category (and `clean`) gets its own sigmoid, so a text can
score high on two categories and per-category thresholds mean what they say. The package is
`fasttext-numpy2`, a maintained build of Facebook's bindings that works with numpy 2 (the
original `fasttext` wheel breaks in `predict` on numpy 2).
"""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path
from typing import Any, Iterable, Sequence

from xuanyuan.quality.tokens import fasttext_text
from xuanyuan.quality.training_set import Example

LABEL_PREFIX = "__label__"
CLEAN_LABEL = "clean"


@dataclasses.dataclass(frozen=True)
class FastTextSettings:
    """`quality.fasttext` of the config."""

    epoch: int = 25
    lr: float = 0.5
    dim: int = 64
    word_ngrams: int = 2
    min_count: int = 1
    bucket: int = 2_000_000
    threads: int = 1
    max_chars: int = 4000

    @classmethod
    def from_config(cls, values: dict[str, Any]) -> "FastTextSettings":
        return cls(**{field.name: values[field.name] for field in dataclasses.fields(cls) if field.name in values})


def fasttext_line(example: Example, max_chars: int) -> str:
    labels = example.labels or (CLEAN_LABEL,)
    return " ".join(LABEL_PREFIX + label for label in labels) + " " + fasttext_text(example.text, max_chars)


def write_fasttext_file(examples: Iterable[Example], path: str | Path, max_chars: int, seed: int) -> int:
    """Examples in fastText's supervised format, shuffled (SGD sees the classes interleaved)."""
    lines = [fasttext_line(example, max_chars) for example in examples]
    random.Random(seed).shuffle(lines)
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def train_classifier(examples: Sequence[Example], workdir: str | Path, settings: FastTextSettings, seed: int):
    """A fastText model trained on `examples` (the training file is kept in `workdir` for inspection)."""
    import fasttext

    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    train_file = workdir / "train.fasttext.txt"
    write_fasttext_file(examples, train_file, settings.max_chars, seed)
    return fasttext.train_supervised(
        input=str(train_file),
        loss="ova",
        epoch=settings.epoch,
        lr=settings.lr,
        dim=settings.dim,
        wordNgrams=settings.word_ngrams,
        minCount=settings.min_count,
        bucket=settings.bucket,
        thread=settings.threads,
        seed=seed,
        verbose=0,
    )


class HarmClassifier:
    """Scores texts per harmful category with a trained fastText model."""

    def __init__(self, model: Any, categories: Sequence[str], max_chars: int):
        self.model = model
        self.categories = tuple(categories)
        self.max_chars = max_chars
        known = {label[len(LABEL_PREFIX):] for label in model.get_labels()}
        missing = [category for category in self.categories if category not in known]
        if missing:
            raise ValueError(
                f"the classifier was trained without example(s) of {', '.join(missing)}; "
                "add annotated examples of them or remove them from quality.categories"
            )

    @classmethod
    def load(cls, path: str | Path, categories: Sequence[str], max_chars: int) -> "HarmClassifier":
        import fasttext

        if not Path(path).is_file():
            raise FileNotFoundError(f"no fastText model at {path}; the quality_classifier rule writes it")
        return cls(fasttext.load_model(str(path)), categories, max_chars)

    def save(self, path: str | Path) -> None:
        self.model.save_model(str(path))

    def scores(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """Per text, the probability of each category (one-vs-all, so they need not sum to 1)."""
        if not texts:
            return []
        labels, probs = self.model.predict([fasttext_text(text, self.max_chars) for text in texts], k=-1, threshold=0.0)
        rows = []
        for text_labels, text_probs in zip(labels, probs):
            by_label = {label[len(LABEL_PREFIX):]: float(prob) for label, prob in zip(text_labels, text_probs)}
            rows.append({category: by_label.get(category, 0.0) for category in self.categories})
        return rows


def threshold_of(thresholds: dict[str, float], category: str) -> float:
    """The drop threshold of a category: its own, else `default`, else 0.5."""
    return float(thresholds.get(category, thresholds.get("default", 0.5)))


def verdict(scores: dict[str, float], thresholds: dict[str, float]) -> tuple[str, float] | None:
    """The category a document is dropped for (the one furthest above its threshold), or None."""
    over = [(score - threshold_of(thresholds, category), category, score) for category, score in scores.items()
            if score >= threshold_of(thresholds, category)]
    if not over:
        return None
    _, category, score = max(over)
    return category, score
