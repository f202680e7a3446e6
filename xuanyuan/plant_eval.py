"""Score extraction and cleaning against what the corpus generator planted.

The generator writes `ground_truth.jsonl` (one row per document: plant, category, the
stage and rules expected to catch it) and `extraction_expectations.json` (main-text and
boilerplate snippets per HTML page, the rows of every ruled table per PDF). Here the ledgers and kept shards of a run are read
back and turned into precision/recall tables, so a rule change that lets planted junk
through, or starts dropping clean text, shows up as a number in results/.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Iterable

from xuanyuan.dedup.clusters import large_clusters
from xuanyuan.provenance import code_version, config_hash
from xuanyuan.shards import read_records
from xuanyuan.sources import file_doc_id
from xuanyuan.tables import markdown_table, write_csv, write_text

log = logging.getLogger(__name__)

# Plants that cleaning must drop. Harmful plants are the quality stage's work: cleaning may
# drop some of them for their own reasons (too short), which is neither a hit nor a loss, so
# they sit outside both counts and are reported on their own.
CLEANING_TARGETS = {"low_quality"}
NEUTRAL_PLANTS = {"harmful"}


def read_ground_truth(path: str) -> list[dict[str, Any]]:
    rows = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                rows.append(json.loads(line))
    return rows


class LedgerIndex:
    """What the ledgers say happened to each document id."""

    def __init__(self, ledger_paths: Iterable[str]):
        self.drops: dict[str, tuple[str, str]] = {}
        self.removed_lines: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.edits: dict[str, Counter[str]] = defaultdict(Counter)
        for path in ledger_paths:
            for event in read_records(path):
                kind, doc_id = event["event"], event["id"]
                if kind == "drop":
                    self.drops[doc_id] = (event["stage"], event["rule"])
                elif kind == "line":
                    self.removed_lines[doc_id].append((event["rule"], event["line"]))
                elif kind == "edit":
                    self.edits[doc_id][event["rule"]] += event["count"]


def _ratio(part: int, whole: int) -> float | str:
    return round(part / whole, 4) if whole else "-"


def _normalise_ws(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _kept_texts(paths: Iterable[str], wanted: set[str]) -> dict[str, str]:
    texts = {}
    for path in paths:
        for record in read_records(path):
            if record["id"] in wanted:
                texts[record["id"]] = record["text"]
    return texts


def evaluate_plants(
    ground_truth: list[dict[str, Any]], ledgers: LedgerIndex, clean_texts: dict[str, str]
) -> dict[str, list[list[Any]]]:
    """Rows of the tables in cleaning_eval.md, keyed by section."""
    sections: dict[str, list[list[Any]]] = {}

    # Documents cleaning must drop (low quality) vs. documents it must keep (everything else
    # that extraction kept).
    by_category: dict[str, Counter[str]] = defaultdict(Counter)
    false_positive_rules: Counter[str] = Counter()
    neutral_drops: Counter[str] = Counter()
    kept_reference = 0
    for row in ground_truth:
        stage_rule = ledgers.drops.get(row["id"])
        dropped_in_clean = stage_rule is not None and stage_rule[0] == "clean"
        if row["plant"] in CLEANING_TARGETS:
            counts = by_category[row["category"]]
            counts["planted"] += 1
            if dropped_in_clean:
                counts["caught"] += 1
                if stage_rule[1] in row.get("expect_rules", []):
                    counts["intended"] += 1
            elif stage_rule is not None:
                counts["dropped_earlier"] += 1
        elif row["plant"] in NEUTRAL_PLANTS:
            if dropped_in_clean:
                neutral_drops[f"{row['category']}: {stage_rule[1]}"] += 1
        elif row["plant"] != "bad_file" and (stage_rule is None or stage_rule[0] == "clean"):
            kept_reference += 1
            if dropped_in_clean:
                false_positive_rules[stage_rule[1]] += 1
    planted = sum(c["planted"] for c in by_category.values())
    caught = sum(c["caught"] for c in by_category.values())
    false_positives = sum(false_positive_rules.values())
    sections["documents"] = [
        [category, c["planted"], c["caught"], c["intended"], c["dropped_earlier"], _ratio(c["caught"], c["planted"])]
        for category, c in sorted(by_category.items())
    ]
    sections["documents_summary"] = [
        [planted, caught, false_positives, kept_reference,
         _ratio(caught, caught + false_positives), _ratio(caught, planted)]
    ]
    sections["false_positive_rules"] = [[rule, n] for rule, n in false_positive_rules.most_common()]
    sections["neutral_drops"] = [[what, n] for what, n in sorted(neutral_drops.items())]

    # Boilerplate lines planted inside otherwise clean main text: gone from the cleaned text,
    # whether extraction already left them out or the line rule removed them.
    lines = Counter()
    for row in ground_truth:
        if row["plant"] != "boilerplate_line" or row["id"] not in clean_texts:
            continue
        text = _normalise_ws(clean_texts[row["id"]])
        removed = [_normalise_ws(line) for rule, line in ledgers.removed_lines.get(row["id"], [])]
        for line in row.get("detail", {}).get("lines", []):
            target = _normalise_ws(line)
            lines["planted"] += 1
            if target not in text:
                lines["gone"] += 1
                lines["by_rule"] += any(target in candidate for candidate in removed if candidate)
    sections["lines"] = [
        ["boilerplate_line", lines["planted"], lines["gone"], lines["by_rule"], _ratio(lines["gone"], lines["planted"])]
    ]

    # PII: planted values must be gone from the cleaned text; look-alike negatives must stay.
    by_rule: dict[str, Counter[str]] = defaultdict(Counter)
    negatives = Counter()
    for row in ground_truth:
        if row["plant"] != "pii" or row["id"] not in clean_texts:
            continue
        text = clean_texts[row["id"]]
        detail = row.get("detail", {})
        for rule, values in sorted(detail.get("by_kind", {}).items()):
            for value in values:
                by_rule[rule]["planted"] += 1
                by_rule[rule]["masked"] += value not in text
        for value in detail.get("negatives", []):
            negatives["planted"] += 1
            negatives["kept"] += value in text
    sections["pii"] = [
        [rule, c["planted"], c["masked"], _ratio(c["masked"], c["planted"])] for rule, c in sorted(by_rule.items())
    ]
    sections["pii_negatives"] = [[negatives["planted"], negatives["kept"], _ratio(negatives["kept"], negatives["planted"])]]

    # Bad files: each must end in the ledger with the expected reason.
    bad_rows = []
    for row in ground_truth:
        if row["plant"] != "bad_file":
            continue
        expected = row.get("expect_rules", [])
        drop = ledgers.drops.get(row["id"])
        if "charset_mismatch" in expected:
            seen = ledgers.edits.get(row["id"], Counter()).get("charset_mismatch", 0) > 0 and drop is None
            outcome = "decoded, kept, recorded" if seen else f"not recorded ({drop})"
        else:
            seen = drop is not None and drop[1] in expected
            outcome = f"{drop[0]}: {drop[1]}" if drop else "not in ledger"
        bad_rows.append([row["category"], row["id"], "/".join(expected), outcome, "yes" if seen else "NO"])
    sections["bad_files"] = bad_rows
    return sections


def write_cleaning_eval(
    *,
    ground_truth_path: str,
    ledger_paths: list[str],
    clean_doc_paths: list[str],
    config: dict[str, Any],
    markdown_path: str,
    csv_path: str,
) -> dict[str, list[list[Any]]]:
    ground_truth = read_ground_truth(ground_truth_path)
    ledgers = LedgerIndex(ledger_paths)
    text_ids = {row["id"] for row in ground_truth if row["plant"] in ("pii", "boilerplate_line")}
    sections = evaluate_plants(ground_truth, ledgers, _kept_texts(clean_doc_paths, text_ids))
    chash, version = config_hash(config), code_version()

    summary = sections["documents_summary"][0]
    parts = [
        "# Cleaning and extraction against the planted ground truth\n",
        f"config `{chash}` · code `{version}` · ground truth: `{ground_truth_path}`\n",
        "The plants come from the project's own corpus generator, and the default thresholds were tuned with "
        "them in view: a high score shows the stages do what they were built to do on known cases, not how they "
        "fare on real web text. For real text see docs/cleaning_rules.md (drop rates on the shared "
        "THUCNews/FinNA/Reuters/C4/Wikipedia corpus) and docs/extraction.md (real pages and PDFs).\n",
        "## Documents (cleaning must drop planted low-quality documents and keep the rest)\n",
        "Precision counts as false positives the documents that extraction kept and cleaning dropped although "
        "nothing low-quality was planted in them (clean, duplicate, PII and boilerplate plants; duplicates are "
        "the dedup stage's work). Harmful plants belong to the quality stage and are counted apart below.\n",
        markdown_table(["planted", "caught", "false positives", "reference docs", "precision", "recall"], [summary]),
        "\n",
        markdown_table(
            ["category", "planted", "caught", "by an intended rule", "dropped at extraction", "recall"],
            sections["documents"],
        ),
        "\n### False positives by rule\n",
        markdown_table(["rule", "documents"], sections["false_positive_rules"] or [["(none)", 0]]),
        "\n### Harmful plants that cleaning dropped anyway (the quality stage's work; not counted above)\n",
        markdown_table(["category: rule", "documents"], sections["neutral_drops"] or [["(none)", 0]]),
        "\n## Boilerplate lines planted in main text\n",
        "A planted line counts as caught when it is gone from the cleaned text (extraction may already "
        "have left it out); the next column says how many the boilerplate line rules removed themselves.\n",
        markdown_table(["plant", "lines planted", "gone", "removed by a line rule", "recall"], sections["lines"]),
        "\n## PII masking\n",
        "Planted values must be gone from the cleaned text of documents that survive.\n",
        markdown_table(["rule", "planted", "masked", "recall"], sections["pii"]),
        "\nLook-alikes that must stay (stock codes, amounts, order numbers, ID numbers with a wrong checksum):\n",
        markdown_table(["look-alikes", "left intact", "precision"], sections["pii_negatives"]),
        "\n## Planted bad files\n",
        markdown_table(["case", "document", "expected", "outcome", "as expected"], sections["bad_files"]),
    ]
    write_text(markdown_path, "\n".join(parts))

    rows = [[chash, version, "documents", "all", *summary]]
    rows += [[chash, version, "documents", c[0], c[1], c[2], "", "", "", c[5]] for c in sections["documents"]]
    rows += [[chash, version, "lines", c[0], c[1], c[2], "", "", "", c[4]] for c in sections["lines"]]
    rows += [[chash, version, "pii", c[0], c[1], c[2], "", "", "", c[3]] for c in sections["pii"]]
    negative = sections["pii_negatives"][0]
    rows += [[chash, version, "pii_negatives", "look-alikes", negative[0], negative[1], "", "", negative[2], ""]]
    write_csv(
        csv_path,
        ["config_hash", "code_version", "section", "category", "planted", "caught", "false_positives",
         "reference", "precision", "recall"],
        rows,
    )
    return sections


def score_snippets(text: str, expectation: dict[str, list[str]]) -> Counter[str]:
    """trafilatura's benchmark scoring: `with` snippets present, `without` snippets absent."""
    normalised = _normalise_ws(text)
    score: Counter[str] = Counter()
    for snippet in expectation.get("with", []):
        score["with_total"] += 1
        score["with_found"] += _normalise_ws(snippet) in normalised
    for snippet in expectation.get("without", []):
        score["without_total"] += 1
        score["without_absent"] += _normalise_ws(snippet) not in normalised
    return score


def score_tables(text: str, tables: list[list[str]]) -> Counter[str]:
    """Rows of the planted tables found as whole markdown lines of the extracted text (whitespace normalised)."""
    lines = {_normalise_ws(line) for line in text.splitlines() if line.lstrip().startswith("|")}
    score: Counter[str] = Counter()
    for rows in tables:
        found = sum(_normalise_ws(row) in lines for row in rows)
        score["tables"] += 1
        score["rows"] += len(rows)
        score["rows_found"] += found
        score["tables_complete"] += found == len(rows)
    return score


def write_extraction_eval(
    *, raw_dir: str, extracted_paths: list[str], config: dict[str, Any], markdown_path: str
) -> dict[str, Counter[str]]:
    """results/extraction_eval.md: main text and boilerplate snippets of generated HTML pages, and the rows
    of the ruled tables in generated PDFs, against what the generator planted."""
    expectations_path = Path(raw_dir) / "extraction_expectations.json"
    expectations = json.loads(expectations_path.read_text(encoding="utf-8"))
    wanted: dict[str, tuple[str, dict[str, Any]]] = {}
    for relpath, expectation in expectations.items():
        source, _, rest = relpath.partition("/")
        wanted[file_doc_id(source, rest)] = (source, expectation)
    texts = _kept_texts(extracted_paths, set(wanted))
    per_source: dict[str, Counter[str]] = defaultdict(Counter)
    for doc_id, (source, expectation) in sorted(wanted.items()):
        counts = per_source[source]
        counts["files"] += 1
        if doc_id not in texts:
            counts["missing"] += 1
        if "tables" in expectation:
            counts.update(score_tables(texts.get(doc_id, ""), expectation["tables"]))
        else:
            counts.update(score_snippets(texts.get(doc_id, ""), expectation))
    html_rows, pdf_rows = [], []
    for source, c in sorted(per_source.items()):
        if c["tables"]:
            pdf_rows.append([source, c["files"], c["missing"], c["tables"], c["rows"], c["rows_found"],
                             c["tables_complete"], _ratio(c["rows_found"], c["rows"])])
            continue
        passed = c["with_found"] + c["without_absent"]
        total = c["with_total"] + c["without_total"]
        html_rows.append([source, c["files"], c["missing"], _ratio(c["with_found"], c["with_total"]),
                          _ratio(c["without_absent"], c["without_total"]), _ratio(passed, total)])
    chash, version = config_hash(config), code_version()
    settings = {kind: config["extract"][kind] for kind in ("html", "pdf")}
    parts = [
        "# Extraction of the generated pages and PDFs\n",
        f"config `{chash}` · code `{version}` · extractor settings: `{json.dumps(settings, sort_keys=True)}`\n",
        "## HTML main text\n",
        "Snippets scored after whitespace normalisation: main text that must be present, boilerplate "
        "(navigation, ads, footers, cookie banners) that must be absent.\n",
        markdown_table(["source", "pages", "not extracted", "main text found", "boilerplate absent", "pass rate"], html_rows),
    ]
    if pdf_rows:
        parts += [
            "\n## PDF tables\n",
            "Every ruled table of a sample of generated reports: a row counts when it is a whole markdown line of "
            "the extracted text, cell for cell (header row included); a table is complete when all its rows are.\n",
            markdown_table(["source", "files", "not extracted", "tables", "rows", "rows found", "tables complete",
                            "row recall"], pdf_rows),
        ]
    write_text(markdown_path, "\n".join(parts))
    return per_source


DUPLICATE_PLANTS = {"exact_duplicate", "near_duplicate"}
DEDUP_STAGES = ("dedup_local", "dedup_global")


def evaluate_dedup(ground_truth: list[dict[str, Any]], ledgers: LedgerIndex) -> dict[str, list[list[Any]]]:
    """Per planted cluster, the members that reach dedup should all but one be dropped there.

    Which member survives is the dedup stage's rule (longest text, then smallest id), so the
    score is counted per cluster: of k members that reached dedup, k-1 drops are expected.
    Any dedup drop beyond that, or of a document outside the planted clusters, is a false
    positive; a cluster whose members were all dropped counts as lost.
    """
    clusters: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in ground_truth:
        if row["plant"] in DUPLICATE_PLANTS and row.get("cluster"):
            clusters[row["cluster"]].append(row)
    in_clusters = {row["id"] for rows in clusters.values() for row in rows}
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    for cluster_rows in clusters.values():
        reached = [row for row in cluster_rows if ledgers.drops.get(row["id"], ("",))[0] not in ("extract", "clean")]
        dropped = [row for row in reached if ledgers.drops.get(row["id"], ("",))[0] in DEDUP_STAGES]
        expected = max(len(reached) - 1, 0)
        kind = "exact" if cluster_rows[0]["plant"] == "exact_duplicate" else "near"
        counts = by_kind[kind]
        counts["clusters"] += 1
        counts["expected"] += expected
        counts["caught"] += min(len(dropped), expected)
        counts["extra"] += max(len(dropped) - expected, 0)
        counts["lost"] += bool(reached) and len(dropped) == len(reached)
        for row in dropped:
            by_kind[f"{kind}: {row['category']}"]["dropped"] += 1
    outside = sum(1 for doc_id, (stage, _) in ledgers.drops.items() if stage in DEDUP_STAGES and doc_id not in in_clusters)
    for counts in (by_kind["exact"], by_kind["near"]):
        for key in ("clusters", "expected", "caught", "extra", "lost"):
            totals[key] += counts[key]
    false_positives = totals["extra"] + outside
    rows = []
    for kind in ("exact", "near"):
        c = by_kind[kind]
        rows.append([kind, c["clusters"], c["expected"], c["caught"], c["extra"], c["lost"], _ratio(c["caught"], c["expected"])])
    return {
        "summary": [[
            totals["clusters"], totals["expected"], totals["caught"], false_positives, outside,
            _ratio(totals["caught"], totals["caught"] + false_positives), _ratio(totals["caught"], totals["expected"]),
        ]],
        "by_kind": rows,
        "dropped_by_variant": [[kind, c["dropped"]] for kind, c in sorted(by_kind.items()) if ":" in kind],
    }


def write_dedup_eval(
    *,
    ground_truth_path: str,
    ledger_paths: list[str],
    summary_paths: list[str],
    lsh: dict[str, Any],
    config: dict[str, Any],
    markdown_path: str,
    csv_path: str,
) -> dict[str, list[list[Any]]]:
    ground_truth = read_ground_truth(ground_truth_path)
    sections = evaluate_dedup(ground_truth, LedgerIndex(ledger_paths))
    dedup = config["dedup"]
    stage_rows, warnings, unlisted = [], [], 0
    for path in summary_paths:
        summary = json.loads(Path(path).read_text(encoding="utf-8"))
        stage = summary.get("stage", Path(path).parent.name)
        stage_rows.append([
            stage, summary.get("documents", "-"), summary.get("candidate_pairs", "-"), summary.get("verified_pairs", "-"),
            summary.get("clusters", "-"), json.dumps(summary.get("dropped_by_rule", {}), sort_keys=True),
        ])
        # The bound is judged here, not in the clustering job, so editing it reruns only this report.
        large, total = large_clusters(summary, dedup["max_cluster_size"])
        unlisted += total - len(large)
        for cluster in large:
            log.warning("dedup %s: cluster %s has %d members (dedup.max_cluster_size %d)",
                        stage, cluster["cluster"], cluster["size"], dedup["max_cluster_size"])
            warnings.append([stage, cluster["cluster"], cluster["size"], ", ".join(cluster["sample"][:5])])
    if unlisted:
        warnings.append(["(more)", f"{unlisted} smaller clusters above the bound, not listed", "-", "-"])
    chash, version = config_hash(config), code_version()
    parts = [
        "# Dedup against the planted duplicate clusters\n",
        f"config `{chash}` · code `{version}` · ground truth: `{ground_truth_path}`\n",
        f"MinHash {dedup['num_perm']} permutations, seed {dedup['seed']}, shingles: {dedup['ngram_zh']}-character (zh) / "
        f"{dedup['ngram_en']}-word (en); threshold {dedup['threshold']} -> {lsh['bands']} bands x {lsh['rows']} rows "
        f"(false-positive area {lsh['false_positive']:.4f}, false-negative area {lsh['false_negative']:.4f}); "
        f"stage 1 within each `{dedup['local_key']}`, stage 2 across all.\n",
        "Per planted cluster, all but one of the members that reach dedup should be dropped (the survivor is the "
        "longest text, then the smallest id). False positives: drops beyond that, and drops of documents outside the "
        "planted clusters. The plants are the project's own (see cleaning_eval.md for what that means).\n",
        markdown_table(
            ["clusters", "expected drops", "caught", "false positives", "of which outside clusters", "precision", "recall"],
            sections["summary"],
        ),
        "\n",
        markdown_table(["kind", "clusters", "expected drops", "caught", "extra drops", "clusters lost whole", "recall"],
                       sections["by_kind"]),
        "\n### Dropped members by planted variant\n",
        markdown_table(["variant", "dropped"], sections["dropped_by_variant"] or [["(none)", 0]]),
        "\n## Stages\n",
        markdown_table(["stage", "documents", "candidate pairs", "verified pairs", "clusters", "drops by rule"], stage_rows),
        f"\n### Clusters larger than {dedup['max_cluster_size']} (warnings)\n",
        markdown_table(["stage", "cluster", "size", "sample ids"], warnings or [["(none)", "-", "-", "-"]]),
    ]
    write_text(markdown_path, "\n".join(parts))
    summary = sections["summary"][0]
    rows = [[chash, version, "all", *summary]]
    rows += [[chash, version, r[0], r[1], r[2], r[3], r[4], "", "", r[6]] for r in sections["by_kind"]]
    write_csv(
        csv_path,
        ["config_hash", "code_version", "kind", "clusters", "expected_drops", "caught", "false_positives",
         "outside_clusters", "precision", "recall"],
        rows,
    )
    return sections
