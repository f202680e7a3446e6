"""results/eval.md, eval.csv and eval.png in the recipe's layout: one row per model variant,
memory then CEVAL / CMMLU / MMLU (and extra benchmarks) per shots setting; each score's interval and
test against chance; and eval_changes.csv, what each variant changed question by question."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping, Sequence

from xuanyuan.evaluate.changes import change_rows
from xuanyuan.evaluate.scores import CHANCE
from xuanyuan.evaluate.significance import CONFIDENCE, SIGNIFICANCE, above_chance_p, rounded_p, score_interval
from xuanyuan.evaluate.settings import MAIN_BENCHMARKS
from xuanyuan.evaluate.subjects import CATEGORIES, CHINA_SPECIFIC
from xuanyuan.tables import markdown_table, write_csv, write_text

VARIANTS = ("base", "stage1", "stage2", "sft1", "sft2", "bf16", "int8", "gptq4", "nf4")
VARIANT_LABELS = {"base": "base", "stage1": "pretrain stage 1", "stage2": "pretrain stage 2", "sft1": "SFT stage 1",
                  "sft2": "SFT stage 2", "bf16": "SFT stage 2, bf16", "int8": "8-bit (LLM.int8)",
                  "gptq4": "4-bit GPTQ", "nf4": "4-bit NF4"}
BENCHMARK_LABELS = {"ceval": "CEVAL", "cmmlu": "CMMLU", "mmlu": "MMLU"}


def _ordered(values: Sequence[str], first: Sequence[str]) -> list[str]:
    return [v for v in first if v in values] + sorted(v for v in set(values) if v not in first)


def _gb(entry: Any) -> float | None:
    """Memory of a variant: a number of GB, or a dict with `weights_gb` (and maybe `peak_gb`)."""
    if entry is None:
        return None
    return float(entry["weights_gb"] if isinstance(entry, Mapping) else entry)


def _sig(value: float) -> float:
    """Four significant digits: a tiny default-run model weighs a fraction of a megabyte."""
    return float(f"{value:.4g}")


def _pct(value: float | None) -> float | str:
    return round(100.0 * value, 2) if value is not None else "-"


def correct_count(record: Mapping) -> int:
    """Questions answered right: from the answer sheets, or from the accuracy for a record without them."""
    subjects = record["subjects"].values()
    if all("answers" in s for s in subjects):
        return sum(s["answers"]["correct"].count("1") for s in subjects)
    return round(sum(s["acc"] * s["n"] for s in subjects))


def interval_of(record: Mapping) -> tuple[float, float] | None:
    return score_interval(correct_count(record), record["n_questions"])


def p_above_chance(record: Mapping) -> float | None:
    return above_chance_p(correct_count(record), record["n_questions"], record.get("chance", CHANCE))


def _score_cell(record: Mapping, mark: bool) -> float | str:
    """A micro score in %; with `mark`, a * where it is above chance at the tables' significance level."""
    score = _pct(record["micro"])
    p = p_above_chance(record) if mark else None
    return f"{score}*" if p is not None and p < SIGNIFICANCE else score


def _joined(records: list[dict], key: str) -> str:
    return " ".join(sorted({str(r.get(key, "")) for r in records if r.get(key)})) or "-"


def eval_rows(records: Sequence[dict], memory: Mapping[str, Any] | None = None,
              bf16_reference: str = "sft2", mark_above_chance: bool = False) -> tuple[list[str], list[list]]:
    """(header, rows) of the main table. `memory`: variant -> GB or {weights_gb, peak_gb}; the ratio
    column divides by the `bf16_reference` variant's weights (the recipe's 129G / 65G / 35G).
    `mark_above_chance`: scores above chance at p < 0.05 get a * (the markdown; the CSV stays numbers)."""
    memory = memory or {}
    benchmarks = _ordered([r["benchmark"] for r in records], MAIN_BENCHMARKS)
    shots = sorted({r["shots"] for r in records})
    variants = _ordered([r["variant"] for r in records] + list(memory), VARIANTS)
    by_key = {(r["variant"], r["benchmark"], r["shots"]): r for r in records}
    reference = _gb(memory.get(bf16_reference))
    header = ["variant", "dtype", "memory GB", "memory / bf16", "peak GB"]
    header += [f"{BENCHMARK_LABELS.get(b, b)} {s}-shot" for s in shots for b in benchmarks]
    header += ["config hash", "code version"]
    rows = []
    for variant in variants:
        weights = _gb(memory.get(variant))
        entry = memory.get(variant)
        peak = entry.get("peak_gb") if isinstance(entry, Mapping) else None
        mine = [r for r in records if r["variant"] == variant]
        dtype = entry.get("dtype", "-").replace("torch.", "") if isinstance(entry, Mapping) else "-"
        row = [VARIANT_LABELS.get(variant, variant), dtype,
               _sig(weights) if weights is not None else "-",
               round(weights / reference, 2) if weights is not None and reference else "-",
               _sig(float(peak)) if peak is not None else "-"]
        row += [_score_cell(by_key[(variant, b, s)], mark_above_chance) if (variant, b, s) in by_key else "-"
                for s in shots for b in benchmarks]
        row += [_joined(mine, "config_hash"), _joined(mine, "code_version")]
        rows.append(row)
    return header, rows


def detail_rows(records: Sequence[dict]) -> tuple[list[str], list[list]]:
    """Long table: micro, macro and per-category accuracy of each (variant, benchmark, shots)."""
    categories = [*CATEGORIES, CHINA_SPECIFIC]
    header = ["variant", "benchmark", "shots", "split", "questions", "subjects", "micro %",
              f"{100 * CONFIDENCE:.0f}% interval %", "p (chance)", "macro %",
              *[f"{c} %" for c in categories], "lm-eval", "seconds"]
    order = {v: i for i, v in enumerate(VARIANTS)}
    bench_order = {b: i for i, b in enumerate(MAIN_BENCHMARKS)}
    rows = []
    for r in sorted(records, key=lambda r: (order.get(r["variant"], 99), r["variant"],
                                            bench_order.get(r["benchmark"], 9), r["benchmark"], r["shots"])):
        cats = r.get("categories", {})
        interval = interval_of(r)
        p = p_above_chance(r)
        rows.append([VARIANT_LABELS.get(r["variant"], r["variant"]), BENCHMARK_LABELS.get(r["benchmark"], r["benchmark"]),
                     r["shots"], r["split"], r["n_questions"], r["n_subjects"], _pct(r["micro"]),
                     f"{_pct(interval[0])}-{_pct(interval[1])}" if interval else "-",
                     rounded_p(p) if p is not None else "-", _pct(r["macro"]),
                     *[_pct(cats[c]["acc"]) if c in cats else "-" for c in categories],
                     r.get("lm_eval_version", "-"), r.get("wall_s", "-")])
    return header, rows


def eval_markdown(records: Sequence[dict], memory: Mapping[str, Any] | None = None, bf16_reference: str = "sft2",
                  references: Mapping[str, str] | None = None) -> str:
    """eval.md. `references`: variant -> the variant it is compared with question by question
    (xuanyuan.evaluate.changes.reference_variants); none: no comparison section."""
    header, rows = eval_rows(records, memory, bf16_reference, mark_above_chance=True)
    d_header, d_rows = detail_rows(records)
    limited = sorted({r["limit"] for r in records if r.get("limit")})
    modes = sorted({f"{r['benchmark']}: {r['mode']} ({r['split']})" for r in records})
    sizes = sorted({r["n_questions"] for r in records})
    lines = [
        "# Evaluation: CEVAL, CMMLU, MMLU",
        "",
        "Accuracy in % of questions answered right (micro average over all questions of a benchmark), scored "
        "by lm-eval as the log-likelihood of the answer letter A/B/C/D after lm-eval's own prompts and subject "
        f"descriptions. **Random chance is {100 * CHANCE:.0f}%** (four options): a score near it means the model "
        "does not know the answers, whatever its size.",
        "",
        f"**How sure a score is.** A * marks a score above chance at p < {SIGNIFICANCE} (one-sided exact binomial "
        f"test of each cell on its own, no correction for the many cells). The long table gives each score's "
        f"{100 * CONFIDENCE:.0f}% Wilson interval; {_precision_sentence(sizes)}",
        "",
        "Memory: weight memory of the variant in GB, its ratio to the bf16 model (the recipe reports 129G / "
        "65G / 35G for bf16 / 8-bit / 4-bit), and the peak while evaluating where measured.",
        "",
        markdown_table(header, rows),
        "## Per benchmark: micro (over questions), macro (over subjects) and categories",
        "",
        f"`p (chance)`: the probability of scoring at least this well by guessing ({100 * CHANCE:.0f}%).",
        "",
        markdown_table(d_header, d_rows),
        "Data: " + "; ".join(modes) + ".",
    ]
    if limited:
        lines += ["", f"**Not the full sets**: at most {', '.join(map(str, limited))} question(s) per subject were "
                  "scored (evaluate.limit)."]
    if references:
        lines += ["", *changes_markdown(records, references)]
    return "\n".join(lines) + "\n"


def _precision_sentence(sizes: Sequence[int]) -> str:
    """How wide the interval of a score at chance is for the smallest and largest suite here."""
    if not sizes:
        return "no scores yet."
    widths = []
    for n in dict.fromkeys((sizes[0], sizes[-1])):
        low, high = score_interval(round(CHANCE * n), n)
        widths.append(f"{100 * (high - low):.1f} points wide over {n:,} questions")
    return (f"at a score of {100 * CHANCE:.0f}% it is " + " and ".join(widths) + ". Differences between variants "
            "well inside that are no evidence of a change; the question-by-question comparison below tests them directly.")


def changes_markdown(records: Sequence[dict], references: Mapping[str, str]) -> list[str]:
    """The section comparing each variant with the one it was made from, question by question."""
    header, rows, notes = change_rows(records, references, VARIANT_LABELS, BENCHMARK_LABELS, VARIANTS)
    lines = [
        "## Question by question: what each step changed",
        "",
        "Each variant against the one it was made from, on the same questions with the same prompts: a "
        "training stage against the stage before it, a quantized copy against the bf16 copy (or, without one, "
        "the model it was quantized from). *Answers changed*: questions on which the two chose different "
        "options. Quantization can change many answers while the accuracy stays put, right answers lost and "
        "wrong ones gained in equal number (Dutta et al. 2024, \"Accuracy is Not All You Need\", call them "
        "flips), so this column says more about how close a copy is than the accuracy does. *Right -> wrong* "
        "and *wrong -> right* count the questions whose verdict changed; *McNemar p* (exact) is the "
        "probability of a split at least this uneven between the two if neither model were better: "
        f"p >= {SIGNIFICANCE} means the accuracy change is within the noise of this many questions.",
        "",
    ]
    lines.append(markdown_table(header, rows) if rows else "No pair of variants was scored on the same questions.")
    if notes:
        lines += ["Not compared:", "", *[f"- {note}" for note in notes], ""]
    return lines


def eval_chart(records: Sequence[dict], path: str | os.PathLike[str]) -> None:
    """Grouped bars: micro accuracy per variant and benchmark with its 95% interval, one panel per shots setting."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    benchmarks = _ordered([r["benchmark"] for r in records], MAIN_BENCHMARKS)
    variants = _ordered([r["variant"] for r in records], VARIANTS)
    shots = sorted({r["shots"] for r in records})
    by_key = {(r["variant"], r["benchmark"], r["shots"]): r for r in records}
    fig, axes = plt.subplots(1, len(shots), figsize=(max(6, 1.2 * len(variants)) * len(shots), 4.5), squeeze=False)
    width = 0.8 / max(1, len(benchmarks))
    for ax, s in zip(axes[0], shots):
        for i, b in enumerate(benchmarks):
            values = [100 * by_key[(v, b, s)]["micro"] if (v, b, s) in by_key else 0.0 for v in variants]
            # Whiskers: each score's Wilson interval, so the bars are not read more finely than they are.
            intervals = [interval_of(by_key[(v, b, s)]) if (v, b, s) in by_key else None for v in variants]
            errors = [[value - 100 * iv[0] if iv else 0.0 for value, iv in zip(values, intervals)],
                      [100 * iv[1] - value if iv else 0.0 for value, iv in zip(values, intervals)]]
            ax.bar([x + i * width for x in range(len(variants))], values, width, label=BENCHMARK_LABELS.get(b, b),
                   yerr=errors, capsize=2, error_kw={"linewidth": 0.8})
        ax.axhline(100 * CHANCE, color="grey", linestyle="--", linewidth=1, label="chance (25%)")
        ax.set_xticks([x + width * (len(benchmarks) - 1) / 2 for x in range(len(variants))])
        ax.set_xticklabels([VARIANT_LABELS.get(v, v) for v in variants], rotation=30, ha="right")
        ax.set_ylabel("accuracy %")
        ax.set_ylim(0, 100)
        ax.set_title(f"{s}-shot")
        ax.legend(fontsize=8)
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write_eval_tables(records: Sequence[dict], md_path: str | os.PathLike[str], csv_path: str | os.PathLike[str],
                      png_path: str | os.PathLike[str], memory: Mapping[str, Any] | None = None,
                      bf16_reference: str = "sft2", references: Mapping[str, str] | None = None,
                      changes_csv_path: str | os.PathLike[str] | None = None) -> None:
    """Write eval.md, eval.csv (the main table plus macro columns and each score's interval), eval.png
    and, with `references` and `changes_csv_path`, the question-by-question comparison as CSV."""
    records = list(records)
    write_text(md_path, eval_markdown(records, memory, bf16_reference, references))
    header, rows = eval_rows(records, memory, bf16_reference)
    by_key = {(r["variant"], r["benchmark"], r["shots"]): r for r in records}
    benchmarks = _ordered([r["benchmark"] for r in records], MAIN_BENCHMARKS)
    shots = sorted({r["shots"] for r in records})
    cells = [(b, s) for s in shots for b in benchmarks]
    variants = _ordered([r["variant"] for r in records] + list(memory or {}), VARIANTS)
    names = [f"{BENCHMARK_LABELS.get(b, b)} {s}-shot" for b, s in cells]
    extra_header = ([f"{name} macro" for name in names] + [f"{name} low" for name in names]
                    + [f"{name} high" for name in names])
    csv_rows = []
    for variant, row in zip(variants, rows):
        found = [by_key.get((variant, b, s)) for b, s in cells]
        intervals = [interval_of(record) if record else None for record in found]
        extra = ([_pct(record["macro"]) if record else "-" for record in found]
                 + [_pct(iv[0]) if iv else "-" for iv in intervals] + [_pct(iv[1]) if iv else "-" for iv in intervals])
        csv_rows.append(row[:-2] + extra + row[-2:])
    write_csv(csv_path, header[:-2] + extra_header + header[-2:], csv_rows)
    eval_chart(records, png_path)
    if references is not None and changes_csv_path is not None:
        changes_header, changes, _ = change_rows(records, references, VARIANT_LABELS, BENCHMARK_LABELS, VARIANTS)
        write_csv(changes_csv_path, changes_header, changes)
