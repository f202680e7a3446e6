"""Benchmark xuanyuan's cleaning rules against datatrove's quality filters on the real corpus.

Usage: python bench/clean.py [--corpus-dir DIR] [--rounds N]

DIR is the small real pre-training corpus (one JSONL file per source; see its README).
Per source file, side by side, in one process:
  (a) xuanyuan: `build_rules({})` + `clean_document` (every default rule, edits and filters);
  (b) datatrove 0.10.x: GopherRepetitionFilter -> GopherQualityFilter -> (C4QualityFilter, English
      only) -> FineWebQualityFilter, default parameters, `filter(doc)` called directly on `Document`
      objects (no executor), in FineWeb's order. For Chinese it runs twice: `language="cmn_Hani"`
      (datatrove's spaCy-zh + jieba word tokenizer) and `language="zh"` (what the ISO 639-1 code
      resolves to in datatrove's tokenizer_assignment.csv: spaCy `xx`, which does not segment Chinese).
Kept share and the first rule/filter that drops each document come from one untimed pass (it also
loads tokenizers and lexicons); docs/s is the median of N timed rounds, candidates interleaved.
Known junk: Reuters BRIEF placeholders ("******Blah blah blah.") and THUCNews records whose text,
whitespace removed, is a short headline followed by the same body twice. Prints markdown tables.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from xuanyuan.clean.pipeline import build_rules, clean_document  # noqa: E402

_SPACE = re.compile(r"\s+")

# A decision: (kept, name of the rule/filter that dropped the document or "").
Decide = Callable[[dict[str, Any]], tuple[bool, str]]


def is_reuters_placeholder(doc: dict[str, Any]) -> bool:
    return doc["meta"].get("text_type") == "BRIEF" or "Blah blah blah" in doc["text"]


def is_doubled_text(doc: dict[str, Any], max_prefix: int = 200, min_half: int = 100) -> bool:
    """Whitespace removed, the text is a headline of < max_prefix chars then one body twice."""
    text = _SPACE.sub("", doc["text"])
    for start in range(min(max_prefix, len(text))):
        half, odd = divmod(len(text) - start, 2)
        if half < min_half:
            break
        if not odd and text[start : start + half] == text[start + half :]:
            return True
    return False


JUNK: dict[str, tuple[str, Callable[[dict[str, Any]], bool]]] = {
    "en_fin_news_reuters21578": ("Reuters BRIEF placeholder", is_reuters_placeholder),
    "zh_thucnews_cnews": ("THUCNews text repeated twice", is_doubled_text),
}


def xuanyuan_candidate() -> Decide:
    rules = build_rules({})

    class FirstDrop:
        rule = ""

        def drop(self, **event: Any) -> None:
            self.rule = event["rule"]

        def remove_line(self, **_: Any) -> None:
            pass

        def edit(self, **_: Any) -> None:
            pass

    def decide(doc: dict[str, Any]) -> tuple[bool, str]:
        ledger = FirstDrop()
        kept = clean_document(doc, rules, ledger) is not None
        return kept, ledger.rule

    return decide


def datatrove_candidate(lang: str, language: str) -> Decide:
    from datatrove.data import Document
    from datatrove.pipeline.filters import (
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
    )

    filters = [GopherRepetitionFilter(language=language), GopherQualityFilter(language=language)]
    if lang == "en":
        filters.append(C4QualityFilter(language=language))
    filters.append(FineWebQualityFilter(language=language))
    names = [type(f).__name__.replace("Filter", "") for f in filters]

    def decide(doc: dict[str, Any]) -> tuple[bool, str]:
        # C4QualityFilter rewrites doc.text (drops lines), so every call gets a fresh Document.
        document = Document(text=doc["text"], id=doc["id"], metadata={"language": lang})
        for name, filt in zip(names, filters):
            result = filt.filter(document)
            ok, reason = result if isinstance(result, tuple) else (result, "")
            if not ok:
                return False, f"{name}:{reason}"
        return True, ""

    return decide


def load_corpus(folder: Path) -> dict[str, list[dict[str, Any]]]:
    subsets = {}
    for path in sorted(folder.glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            subsets[path.stem] = [json.loads(line) for line in handle if line.strip()]
    return subsets


def time_round(decide: Decide, docs: list[dict[str, Any]]) -> float:
    start = time.perf_counter()
    for doc in docs:
        decide(doc)
    return time.perf_counter() - start


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus-dir", type=Path, default=REPO / ".." / "shared" / "data" / "pretrain_corpus")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    folder = args.corpus_dir.resolve()
    if not folder.is_dir() or not any(folder.glob("*.jsonl")):
        print(f"no corpus at {folder} (JSONL files expected); pass --corpus-dir. Nothing benchmarked.")
        return 0
    try:
        import datatrove
    except ImportError:
        print("datatrove is not installed (pip install datatrove spacy jieba); nothing benchmarked.")
        return 0

    subsets = load_corpus(folder)
    ours = xuanyuan_candidate()
    theirs = {"en": {"en": datatrove_candidate("en", "en")},
              "zh": {"cmn_Hani": datatrove_candidate("zh", "cmn_Hani"), "zh": datatrove_candidate("zh", "zh")}}

    # Untimed pass: decisions, drop reasons, junk; also loads tokenizers (jieba, spaCy) and lexicons.
    rows = []
    for name, docs in subsets.items():
        lang = docs[0]["lang"]
        cands = {"xuanyuan": ours, **{f"datatrove[{code}]": fn for code, fn in theirs[lang].items()}}
        junk_label, junk_test = JUNK.get(name, ("", None))
        junk = [junk_test(doc) for doc in docs] if junk_test else [False] * len(docs)
        decisions = {label: [fn(doc) for doc in docs] for label, fn in cands.items()}
        rows.append({"name": name, "lang": lang, "docs": docs, "cands": cands, "junk": junk,
                     "junk_label": junk_label, "decisions": decisions, "times": {label: [] for label in cands}})

    for _ in range(args.rounds):
        for row in rows:
            for label, fn in row["cands"].items():
                row["times"][label].append(time_round(fn, row["docs"]))

    print(f"# Cleaning: xuanyuan rules vs datatrove filters ({date.today().isoformat()})")
    print()
    print(f"{platform.node()} · {os.cpu_count()} CPUs · Python {platform.python_version()} · "
          f"datatrove {datatrove.__version__ if hasattr(datatrove, '__version__') else _version('datatrove')} · "
          f"spaCy {_version('spacy')} · jieba {_version('jieba')} · median of {args.rounds} rounds, one process")
    print()
    print("| source | lang | docs | (b) datatrove language | kept (a) xuanyuan | kept (b) datatrove | docs/s (a) | docs/s (b) "
          "| speed a/b | known junk | junk docs | junk dropped (a) | junk dropped (b) | other docs kept (a) | other docs kept (b) |")
    print("|---|---|---:|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|")
    for row in rows:
        n = len(row["docs"])
        a = row["decisions"]["xuanyuan"]
        a_rate = n / statistics.median(row["times"]["xuanyuan"])
        n_junk = sum(row["junk"])
        clean_idx = [i for i in range(n) if not row["junk"][i]]
        for label, dec in row["decisions"].items():
            if label == "xuanyuan":
                continue
            b_rate = n / statistics.median(row["times"][label])
            junk_cells = ["-", "0", "-", "-"]
            if row["junk_label"]:
                junk_cells = [row["junk_label"], str(n_junk),
                              pct(sum(1 for i in range(n) if row["junk"][i] and not a[i][0]), n_junk),
                              pct(sum(1 for i in range(n) if row["junk"][i] and not dec[i][0]), n_junk)]
            cells = [row["name"], row["lang"], str(n), f"`{label[10:-1]}`",
                     pct(sum(k for k, _ in a), n), pct(sum(k for k, _ in dec), n),
                     f"{a_rate:,.0f}", f"{b_rate:,.0f}", f"{a_rate / b_rate:.2f}×",
                     junk_cells[0], junk_cells[1], junk_cells[2], junk_cells[3],
                     pct(sum(a[i][0] for i in clean_idx), len(clean_idx)),
                     pct(sum(dec[i][0] for i in clean_idx), len(clean_idx))]
            print("| " + " | ".join(cells) + " |")
    print()
    print("Drops by first failing rule / filter (documents):")
    print()
    print("| source | candidate | drops |")
    print("|---|---|---|")
    for row in rows:
        for label, dec in row["decisions"].items():
            reasons = Counter(reason for kept, reason in dec if not kept)
            top = ", ".join(f"{reason} {count}" for reason, count in reasons.most_common(8)) or "-"
            print(f"| {row['name']} | {label} | {top} |")
    return 0


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
