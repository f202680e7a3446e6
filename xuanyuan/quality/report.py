"""results/quality.md and quality.csv: the classifier on held-out examples, what it dropped from the
corpus, how the keyword sampler compares, and (on the generated corpus) recall of the planted
harmful documents and the ordinary documents it dropped by mistake."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any, Iterable, Sequence

from xuanyuan.plant_eval import read_ground_truth
from xuanyuan.quality.buried import buried_recall
from xuanyuan.quality.reader import DocumentReader
from xuanyuan.shards import ShardWriter, read_json, read_records
from xuanyuan.tables import markdown_table, write_csv, write_text


def merge_keyword_candidates(paths: Iterable[str], out_path: str, review_cap: int) -> dict[str, int]:
    """One review file: per category the candidates with the most distinct keywords first, up to `review_cap`."""
    by_category: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for path in paths:
        for candidate in read_records(path):
            by_category[candidate["category"]].append(candidate)
    counts = {}
    with ShardWriter(out_path) as writer:
        for category in sorted(by_category):
            candidates = sorted(by_category[category], key=lambda c: (-c["hits"], c["id"]))
            counts[category] = len(candidates)
            for candidate in candidates[:review_cap]:
                writer.write(candidate)
    return counts


def _quality_drops(ledger_paths: Iterable[str]) -> dict[str, dict[str, Any]]:
    drops = {}
    for path in ledger_paths:
        for event in read_records(path):
            if event["event"] == "drop":
                drops[event["id"]] = {"category": event["rule"], "score": event["value"], "source": event["source"],
                                      "reader": event.get("reader", "window"), "span": event.get("passage_text", "")}
    return drops


# Passage drops listed in the report for people to read (the highest scores first).
PASSAGE_REVIEW_ROWS = 20
PASSAGE_REVIEW_CHARS = 160


def _passage_review_rows(drops: dict[str, dict[str, Any]]) -> list[list[Any]]:
    by_passage = [(doc_id, drop) for doc_id, drop in drops.items() if drop["reader"] == "passage"]
    by_passage.sort(key=lambda item: (-item[1]["score"], item[0]))
    return [[drop["source"], doc_id, drop["category"], drop["score"], " ".join(drop["span"].split())[:PASSAGE_REVIEW_CHARS]]
            for doc_id, drop in by_passage[:PASSAGE_REVIEW_ROWS]]


def _passage_review_section(drops: dict[str, dict[str, Any]]) -> list[str]:
    rows = _passage_review_rows(drops)
    if not rows:
        return []
    total = sum(1 for drop in drops.values() if drop["reader"] == "passage")
    return [
        "\n### Dropped by the passage reader, for review\n",
        f"{total} documents in all, dropped for a span alone (the window reader found nothing); the "
        f"{len(rows)} highest-scoring, with the span (the ledger's `passage_text`). On a corpus the "
        "classifier does not know, this is where its mistakes show first (docs/quality.md).\n",
        markdown_table(["source", "id", "category", "score", "span"], rows),
    ]


def _thresholds_text(thresholds: dict[str, float]) -> str:
    return ", ".join(f"{name} {value}" for name, value in sorted(thresholds.items()))


def _buried_rows(ground_truth_path: str, inputs: dict[str, dict[str, Any]],
                 readers: tuple[DocumentReader, DocumentReader], chars: int, seed: int) -> list[list[Any]]:
    harmful = {row["id"]: row["category"] for row in read_ground_truth(ground_truth_path) if row["plant"] == "harmful"}
    plants = [{"id": doc_id, "category": category, "lang": inputs[doc_id].get("lang", ""), "text": inputs[doc_id]["text"]}
              for doc_id, category in sorted(harmful.items()) if doc_id in inputs]
    ordinary: dict[str, list[str]] = defaultdict(list)
    for doc_id in sorted(inputs):
        if doc_id not in harmful:
            ordinary[inputs[doc_id].get("lang", "")].append(inputs[doc_id]["text"])
    windows_only, both = readers
    return buried_recall(plants, ordinary, windows_only=windows_only, both=both, chars=chars, seed=seed)


def _keyword_hits(paths: Iterable[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for path in paths:
        for candidate in read_records(path):
            found[candidate["id"]].add(candidate["category"])
    return found


def _ratio(part: int, whole: int) -> float | str:
    return round(part / whole, 4) if whole else "-"


def planted_rows(
    ground_truth_path: str, quality_input_ids: set[str], drops: dict[str, dict[str, Any]], keyword_ids: dict[str, set[str]]
) -> tuple[list[list[Any]], list[Any]]:
    """Per planted category: reached the stage, caught, caught as that category, keyword-proposed; and false positives."""
    per_category: dict[str, Counter[str]] = defaultdict(Counter)
    harmful_ids = set()
    for row in read_ground_truth(ground_truth_path):
        if row["plant"] != "harmful":
            continue
        harmful_ids.add(row["id"])
        counts = per_category[row["category"]]
        counts["planted"] += 1
        if row["id"] not in quality_input_ids:
            continue
        counts["reached"] += 1
        drop = drops.get(row["id"])
        counts["caught"] += drop is not None
        counts["right_category"] += drop is not None and drop["category"] == row["category"]
        counts["keywords"] += row["category"] in keyword_ids.get(row["id"], set())
    rows = [
        [category, c["planted"], c["reached"], c["caught"], c["right_category"], _ratio(c["caught"], c["reached"]),
         c["keywords"], _ratio(c["keywords"], c["reached"])]
        for category, c in sorted(per_category.items())
    ]
    ordinary = quality_input_ids - harmful_ids
    false_drops = sorted(doc_id for doc_id in drops if doc_id in ordinary)
    by_passage = sum(1 for doc_id in false_drops if drops[doc_id]["reader"] == "passage")
    keyword_false = sum(1 for doc_id in ordinary if keyword_ids.get(doc_id))
    summary = [len(ordinary), len(false_drops), _ratio(len(false_drops), len(ordinary)), by_passage, keyword_false,
               _ratio(keyword_false, len(ordinary)), ", ".join(false_drops[:10])]
    return rows, summary


def write_quality_report(
    *,
    evaluation: dict[str, Any],
    stats_paths: Sequence[str],
    ledger_paths: Sequence[str],
    keyword_paths: Sequence[str],
    keyword_counts_path: str,
    ground_truth_path: str | None,
    input_doc_paths: Sequence[str] = (),
    buried_readers: tuple[DocumentReader, DocumentReader] | None = None,
    seed: int = 0,
    markdown_path: str,
    csv_path: str,
    chash: str,
    version: str,
) -> None:
    keyword_counts = read_json(keyword_counts_path)
    drops = _quality_drops(ledger_paths)
    keyword_ids = _keyword_hits(keyword_paths)
    per_category = evaluation["per_category"]
    binary = evaluation["harmful_vs_clean"]

    held_rows = [
        [category, m["threshold"], m["support"], m["tp"], m["fp"], m["fn"], m["precision"], m["recall"], m["f1"]]
        for category, m in per_category.items()
    ]
    composition = sorted(set(evaluation["train"]) | set(evaluation["heldout"]))
    composition_rows = [[key, evaluation["train"].get(key, 0), evaluation["heldout"].get(key, 0)] for key in composition]

    dropped_by: dict[tuple[str, str], int] = Counter()
    docs_in: Counter[str] = Counter()
    reading: dict[str, Counter[str]] = defaultdict(Counter)
    spans: dict[str, Counter[str]] = defaultdict(Counter)
    for path in stats_paths:
        stats = read_json(path)
        docs_in[stats["source"]] += stats["input"]
        for rule, count in stats["dropped_by_rule"].items():
            dropped_by[(stats["source"], rule)] += count
        reading[stats["source"]].update(stats.get("windows", {}))
        spans[stats["source"]].update(stats.get("passages", {}))
    categories = list(per_category)
    corpus_rows = [
        [source, docs_in[source], *[dropped_by.get((source, category), 0) for category in categories],
         sum(dropped_by.get((source, category), 0) for category in categories)]
        for source in sorted(docs_in)
    ]
    reading_rows = [
        [source, docs_in[source], reading[source]["windows_read"], reading[source]["docs_multi_window"],
         reading[source]["docs_capped"], reading[source]["chars_unread"], spans[source]["docs_read"],
         spans[source]["passages_read"], spans[source]["docs_capped"], spans[source]["tokens_unread"],
         spans[source]["dropped"]]
        for source in sorted(docs_in)
    ]
    keyword_rows = []
    for category in categories:
        proposed = {doc_id for doc_id, cats in keyword_ids.items() if category in cats}
        dropped_any = sum(1 for doc_id in proposed if doc_id in drops)
        dropped_same = sum(1 for doc_id in proposed if drops.get(doc_id, {}).get("category") == category)
        keyword_rows.append([category, keyword_counts.get(category, 0), dropped_any, dropped_same])

    max_chars = evaluation["settings"]["max_chars"]
    windows = evaluation.get("windows")
    overlap_text = (
        f" overlapping by {windows['overlap']} (at most {windows['max_per_document']} per document)" if windows else ""
    )
    passages = evaluation.get("passages")
    passage_text = (
        f" Then every span of {passages['tokens']} tokens, {passages['stride']} apart, is scored alone (the passage "
        f"reader) and drops the document at the passages' own thresholds ({_thresholds_text(passages['thresholds'])}): "
        "a short harmful passage in a long page is otherwise diluted by the text around it. Documents of at most one "
        "span are not read again."
        if passages and passages.get("enabled") else " The passage reader is off (`quality.passages.enabled`)."
    )
    parts = [
        "# Quality filter: harmful-content classifier\n",
        f"config `{chash}` · code `{version}`\n",
        "A fastText model (one-vs-all loss: one independent score per category) reads each document whole, in "
        f"windows of {max_chars} characters{overlap_text}, as Chinese characters and lowercased words with their "
        "bigrams; a document's score per category is its highest window's. A document is dropped when a "
        "category's score reaches that category's threshold; the ledger records the category, the score, all "
        f"scores and the reader and span (character offsets) that gave it.{passage_text} Training data: "
        f"{', '.join(evaluation['training_files'])}; {evaluation['duplicates_removed']} exact duplicate texts removed.\n",
        "## Held-out evaluation\n",
        f"{evaluation['examples']} held-out examples, never seen in training (stratified split, seed {evaluation['seed']}). "
        "When the training set is the generated one, held-out examples come from the same generator as the "
        "training examples: these numbers say the model learnt the generator, the planted-document section below "
        "is the harder test (other templates), and COLD (docs/quality.md) the test on real text.\n",
        markdown_table(["category", "threshold", "support", "tp", "fp", "fn", "precision", "recall", "F1"], held_rows),
        "\nHarmful vs clean (the filter's own question: dropped or kept):\n",
        markdown_table(
            ["accuracy", "harmful precision", "harmful recall", "clean precision", "clean recall", "clean dropped"],
            [[binary["accuracy"], binary["precision"], binary["recall"], binary["clean_precision"],
              binary["clean_recall"], binary["clean_dropped"]]],
        ),
        "\nTraining set composition (examples per label; `group:` rows say where generated examples came from):\n",
        markdown_table(["label or group", "train", "held out"], composition_rows),
        "\n## Dropped from the corpus\n",
        markdown_table(["source", "documents in", *categories, "dropped"], corpus_rows),
        f"\nHow the documents were read: windows of {max_chars} characters; a document over the per-document "
        "window cap is read in that many windows spread over it, and the characters no window covered are counted "
        "(`quality.windows` in the config). Passages: documents longer than one span, spans read, documents at the "
        "span cap (`quality.passages.max_per_document`), tokens no span covered, documents the passage reader "
        "dropped (the window reader found nothing).\n",
        markdown_table(
            ["source", "documents in", "windows read", "longer than one window", "at the window cap", "characters unread",
             "read in passages", "passages read", "at the passage cap", "tokens unread", "dropped by passages"],
            reading_rows,
        ),
        *_passage_review_section(drops),
        "\n## Keyword sampling (for review, drops nothing)\n",
        "Candidates contain at least `quality.keyword_min_hits` distinct keywords of a category anywhere in the "
        "document (the classifier too reads documents whole); the review file "
        "(`work/quality_model/keyword_candidates.jsonl.zst`) lists the strongest ones. The next columns say how "
        "many of them the classifier dropped (for any category, for that category).\n",
        markdown_table(["category", "candidates", "dropped by the classifier", "for that category"], keyword_rows),
    ]
    csv_rows = [[chash, version, "heldout", *row] for row in held_rows]
    if ground_truth_path:
        # Only the generated corpus has ground truth, so only there is the stage's input read again.
        inputs = {record["id"]: record for path in input_doc_paths for record in read_records(path)}
        rows, summary = planted_rows(ground_truth_path, set(inputs), drops, keyword_ids)
        parts += [
            "\n## Planted harmful documents of the generated corpus\n",
            "These come from the corpus generator's harmful templates, which differ from the training set's "
            "phrase bank (xuanyuan/corpus/plants/harmful.py vs xuanyuan/corpus/harmful_training.py). "
            "`reached` = survived cleaning and dedup.\n",
            markdown_table(
                ["category", "planted", "reached", "caught", "as that category", "recall", "keyword-proposed", "keyword recall"],
                rows,
            ),
            "\nOrdinary documents (no harmful plant) that reached the stage:\n",
            markdown_table(
                ["documents", "dropped by the classifier", "rate", "of them by passages", "keyword-proposed", "rate",
                 "dropped (first ids)"],
                [summary],
            ),
        ]
        buried = _buried_rows(ground_truth_path, inputs, buried_readers, max_chars, seed) if buried_readers else []
        if buried:
            parts += [
                "\n### Buried in long pages\n",
                f"Each planted document that reached the stage, laid between ordinary documents of its language (at "
                f"least {max_chars} characters of them before and after, drawn under the run's seed), read as the "
                "filter reads: by the window reader alone, and by windows and passages. As a page of its own a plant "
                "is most of its window; buried, it is a few percent of it.\n",
                markdown_table(
                    ["category", "buried", "caught by windows", "recall", "caught (windows + passages)", "recall",
                     "by passages"],
                    buried,
                ),
            ]
        # planted: support = reached the stage, tp = caught, fn = missed; ordinary: fp = dropped by mistake.
        csv_rows += [[chash, version, "planted", row[0], "", row[2], row[3], "", row[2] - row[3], "", row[5], ""] for row in rows]
        csv_rows += [[chash, version, "ordinary", "all", "", summary[0], "", summary[1], "", "", "", ""]]
        # buried: support = plants buried, tp = caught by windows and passages, fn = missed.
        csv_rows += [[chash, version, "buried", row[0], "", row[1], row[4], "", row[1] - row[4], "", row[5], ""]
                     for row in buried]
    write_text(markdown_path, "\n".join(parts))
    write_csv(
        csv_path,
        ["config_hash", "code_version", "section", "category", "threshold", "support", "tp", "fp", "fn",
         "precision", "recall", "f1"],
        csv_rows,
    )
