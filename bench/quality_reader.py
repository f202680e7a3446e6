"""Benchmark the quality filter's passage reader against the window reader alone, on real text.

Usage: python bench/quality_reader.py [--corpus-dir DIR] [--training generated|cold] [--rounds N] [--seed S]

DIR is the small real pre-training corpus (one JSONL file per source; see its README). The
classifier (default fastText settings, `--seed`, one thread) is trained on
  generated: the set the default pipeline trains on (six categories);
  cold:      COLD's 12,000 annotated training rows (../shared/data/toxicity_cold), offensive rows
             as `discrimination` (one category), as a user with real annotated data would.
Per source file, side by side in one process:
  (a) windows: the reader before passages (4,000-character windows, overlap 1,000), what a user
      of a fastText filter would run;
  (b) windows + passages: the filter as configured by default (spans of 96 tokens, stride 24,
      threshold 0.95).
docs/s is the median of N timed rounds, the two interleaved. The drop counts say what each reader
would remove from real, ordinary news and encyclopedia text: for this corpus every drop is a
false positive unless a person reading it says otherwise, so the first few are printed.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from xuanyuan.quality.classifier import FastTextSettings, HarmClassifier  # noqa: E402
from xuanyuan.quality.passages import PassageSettings  # noqa: E402
from xuanyuan.quality.reader import DocumentReader  # noqa: E402
from xuanyuan.quality.train import build_classifier  # noqa: E402
from xuanyuan.quality.windows import WindowSettings  # noqa: E402

CATEGORIES = ["violence", "porn", "discrimination", "reactionary", "gambling", "wrong_values"]


def trained_classifier(training: str, seed: int, workdir: Path, cold_dir: Path) -> HarmClassifier:
    """The classifier the default run trains (schema defaults of quality.training), or one trained on COLD."""
    model_path = workdir / "classifier.bin"
    if training == "cold":
        categories = ["discrimination"]
        spec = {"files": [{"path": str(cold_dir / "train_first12000.csv"), "format": "cold_csv",
                           "category": "discrimination"}]}
    else:
        categories = CATEGORIES
        spec = {"generated": {"per_category": 300, "clean": 1500, "hard_negative": 300}}
    build_classifier(
        training={"context_augmentation": 0.5, "heldout_fraction": 0.2, **spec},
        categories=categories, fasttext_settings={}, seed=seed, model_path=str(model_path),
        heldout_path=str(workdir / "heldout.jsonl.zst"), summary_path=str(workdir / "summary.json"),
    )
    return HarmClassifier.load(model_path, categories, FastTextSettings().max_chars, WindowSettings())


def timed(reader: DocumentReader, texts: list[str]) -> tuple[float, list]:
    start = time.perf_counter()
    readings = reader.read(texts)
    return time.perf_counter() - start, readings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus-dir", type=Path, default=REPO.parent / "shared" / "data" / "pretrain_corpus")
    parser.add_argument("--training", choices=["generated", "cold"], default="generated")
    parser.add_argument("--cold-dir", type=Path, default=REPO.parent / "shared" / "data" / "toxicity_cold")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1234)
    args = parser.parse_args()
    files = sorted(args.corpus_dir.glob("*.jsonl"))
    if not files:
        sys.exit(f"no *.jsonl files in {args.corpus_dir}; pass --corpus-dir (the real corpus of ../shared/data)")
    with tempfile.TemporaryDirectory() as workdir:
        classifier = trained_classifier(args.training, args.seed, Path(workdir), args.cold_dir)
    thresholds = {"default": 0.5}
    readers = {"windows": DocumentReader(classifier, thresholds),
               "windows + passages": DocumentReader(classifier, thresholds, PassageSettings())}
    print(f"# Quality reader benchmark (classifier trained on {args.training}; {platform.processor() or platform.machine()}, "
          f"one thread, median of {args.rounds} rounds)\n")
    print("| source | docs | chars | windows docs/s | + passages docs/s | time ratio | dropped: windows | "
          "dropped: + passages | of them by passages |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    examples = []
    for path in files:
        texts = [json.loads(line)["text"] for line in path.open(encoding="utf-8") if line.strip()]
        times = {name: [] for name in readers}
        drops = {}
        for _ in range(args.rounds):
            for name, reader in readers.items():
                seconds, readings = timed(reader, texts)
                times[name].append(seconds)
                drops[name] = [reading.drop for reading in readings]
        window_s, both_s = (statistics.median(times[name]) for name in readers)
        by_passage = [(text, drop) for text, drop in zip(texts, drops["windows + passages"])
                      if drop is not None and drop.reader == "passage"]
        examples += [(path.name, drop, text[drop.start:drop.end]) for text, drop in by_passage[:3]]
        print(f"| {path.stem} | {len(texts):,} | {sum(map(len, texts)):,} | {len(texts) / window_s:,.0f} | "
              f"{len(texts) / both_s:,.0f} | {both_s / window_s:.2f} | {sum(d is not None for d in drops['windows'])} | "
              f"{sum(d is not None for d in drops['windows + passages'])} | {len(by_passage)} |")
    if examples:
        print("\nSpans the passage reader dropped (the first per source):\n")
        for name, drop, span in examples:
            print(f"- {name}: {drop.category} {drop.score:.3f}: {span[:160]!r}")


if __name__ == "__main__":
    main()
