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
from typing import Any, Iterable, Iterator, Sequence

from xuanyuan.quality.tokens import fasttext_text
from xuanyuan.quality.training_set import Example
from xuanyuan.quality.windows import WindowSettings, document_windows

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


@dataclasses.dataclass(frozen=True)
class DocumentScores:
    """One document's scores: per category its highest window's, and where that window starts and ends."""

    scores: dict[str, float]
    windows: dict[str, tuple[int, int]]  # category -> (start, end) of the window with that score
    windows_read: int
    capped: bool
    chars_unread: int


# Windows per fastText call: bounds memory when a batch holds a few very long documents.
_PREDICT_BATCH = 1024


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
    """Scores texts per harmful category with a trained fastText model, reading each in windows (windows.py)."""

    def __init__(self, model: Any, categories: Sequence[str], max_chars: int, windows: WindowSettings | None = None):
        self.model = model
        self.categories = tuple(categories)
        self.max_chars = max_chars
        # Without settings (training, tests) the default overlap, shrunk to fit a short max_chars.
        self.windows = (windows or WindowSettings(overlap=min(WindowSettings.overlap, max_chars // 4))).check(max_chars)
        # build_classifier checks the training set before training (check_categories_covered); this
        # guards a model loaded under other categories than it was trained on.
        known = {label[len(LABEL_PREFIX):] for label in model.get_labels()}
        missing = [category for category in self.categories if category not in known]
        if missing:
            raise ValueError(
                f"the classifier was trained without example(s) of {', '.join(missing)}; "
                "add annotated examples of them or remove them from quality.categories"
            )

    @classmethod
    def load(
        cls, path: str | Path, categories: Sequence[str], max_chars: int, windows: WindowSettings | None = None
    ) -> "HarmClassifier":
        import fasttext

        if not Path(path).is_file():
            raise FileNotFoundError(f"no fastText model at {path}; the quality_classifier rule writes it")
        return cls(fasttext.load_model(str(path)), categories, max_chars, windows)

    def save(self, path: str | Path) -> None:
        self.model.save_model(str(path))

    def predict_lines(self, lines: list[str]) -> list[dict[str, float]]:
        """Each category's probability for each fastText line (tokens already joined by spaces)."""
        rows = []
        for start in range(0, len(lines), _PREDICT_BATCH):
            labels, probs = self.model.predict(lines[start : start + _PREDICT_BATCH], k=-1, threshold=0.0)
            for text_labels, text_probs in zip(labels, probs):
                by_label = {label[len(LABEL_PREFIX):]: float(prob) for label, prob in zip(text_labels, text_probs)}
                rows.append({category: by_label.get(category, 0.0) for category in self.categories})
        return rows

    def document_scores(self, texts: Sequence[str]) -> list[DocumentScores]:
        """Per text, each category's highest score over the text's windows and the window it came from."""
        layouts = [document_windows(len(text), self.max_chars, self.windows) for text in texts]
        lines = [
            fasttext_text(text[start : start + self.max_chars], self.max_chars)
            for text, layout in zip(texts, layouts)
            for start in layout.starts
        ]
        rows = iter(self.predict_lines(lines))
        results = []
        for layout in layouts:
            best, where = best_per_category(rows, len(layout.starts), self.categories)
            results.append(DocumentScores(
                scores=best,
                windows={category: layout.span(index) for category, index in where.items()},
                windows_read=len(layout.starts),
                capped=layout.capped,
                chars_unread=layout.chars_unread,
            ))
        return results

    def scores(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """Per text, the probability of each category (one-vs-all, so they need not sum to 1), highest window's."""
        if not texts:
            return []
        return [result.scores for result in self.document_scores(texts)]


def best_per_category(rows: Iterator[dict[str, float]], count: int,
                      categories: Sequence[str]) -> tuple[dict[str, float], dict[str, int]]:
    """Over the next `count` rows of scores: each category's highest score and the index of its row."""
    best = {category: -1.0 for category in categories}
    where = {category: 0 for category in categories}
    for index in range(count):
        keep_highest(best, where, next(rows), index)
    return best, where


def keep_highest(best: dict[str, float], where: dict[str, Any], row: dict[str, float], place: Any) -> None:
    """Raise each category's `best` score to `row`'s where it is higher, noting `place` (a window, a span)."""
    for category in best:
        # Strictly greater: ties go to the earliest row, whatever the batch or chunk.
        if row[category] > best[category]:
            best[category], where[category] = row[category], place


def threshold_of(thresholds: dict[str, float], category: str, fallback: float = 0.5) -> float:
    """The drop threshold of a category: its own, else `default`, else `fallback`."""
    return float(thresholds.get(category, thresholds.get("default", fallback)))


def verdict(scores: dict[str, float], thresholds: dict[str, float],
            fallback: float = 0.5) -> tuple[str, float] | None:
    """The category a document is dropped for (the one furthest above its threshold), or None."""
    over = [(score - threshold_of(thresholds, category, fallback), category, score) for category, score in scores.items()
            if score >= threshold_of(thresholds, category, fallback)]
    if not over:
        return None
    _, category, score = max(over)
    return category, score
