"""results/eval.md, eval.csv and eval.png in the recipe's layout: one row per model variant,
memory then CEVAL / CMMLU / MMLU (and extra benchmarks) per shots setting."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping, Sequence

from xuanyuan.evaluate.scores import CHANCE
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


def _joined(records: list[dict], key: str) -> str:
    return " ".join(sorted({str(r.get(key, "")) for r in records if r.get(key)})) or "-"


def eval_rows(records: Sequence[dict], memory: Mapping[str, Any] | None = None,
              bf16_reference: str = "sft2") -> tuple[list[str], list[list]]:
    """(header, rows) of the main table. `memory`: variant -> GB or {weights_gb, peak_gb}; the ratio
    column divides by the `bf16_reference` variant's weights (the recipe's 129G / 65G / 35G)."""
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
        row += [_pct(by_key[(variant, b, s)]["micro"]) if (variant, b, s) in by_key else "-"
                for s in shots for b in benchmarks]
        row += [_joined(mine, "config_hash"), _joined(mine, "code_version")]
        rows.append(row)
    return header, rows


def detail_rows(records: Sequence[dict]) -> tuple[list[str], list[list]]:
    """Long table: micro, macro and per-category accuracy of each (variant, benchmark, shots)."""
    categories = [*CATEGORIES, CHINA_SPECIFIC]
    header = ["variant", "benchmark", "shots", "split", "questions", "subjects", "micro %", "macro %",
              *[f"{c} %" for c in categories], "lm-eval", "seconds"]
    order = {v: i for i, v in enumerate(VARIANTS)}
    bench_order = {b: i for i, b in enumerate(MAIN_BENCHMARKS)}
    rows = []
    for r in sorted(records, key=lambda r: (order.get(r["variant"], 99), r["variant"],
                                            bench_order.get(r["benchmark"], 9), r["benchmark"], r["shots"])):
        cats = r.get("categories", {})
        rows.append([VARIANT_LABELS.get(r["variant"], r["variant"]), BENCHMARK_LABELS.get(r["benchmark"], r["benchmark"]),
                     r["shots"], r["split"], r["n_questions"], r["n_subjects"], _pct(r["micro"]), _pct(r["macro"]),
                     *[_pct(cats[c]["acc"]) if c in cats else "-" for c in categories],
                     r.get("lm_eval_version", "-"), r.get("wall_s", "-")])
    return header, rows


def eval_markdown(records: Sequence[dict], memory: Mapping[str, Any] | None = None, bf16_reference: str = "sft2") -> str:
    header, rows = eval_rows(records, memory, bf16_reference)
    d_header, d_rows = detail_rows(records)
    limited = sorted({r["limit"] for r in records if r.get("limit")})
    modes = sorted({f"{r['benchmark']}: {r['mode']} ({r['split']})" for r in records})
    lines = [
        "# Evaluation: CEVAL, CMMLU, MMLU",
        "",
        "Accuracy in % of questions answered right (micro average over all questions of a benchmark), scored "
        "by lm-eval as the log-likelihood of the answer letter A/B/C/D after lm-eval's own prompts and subject "
        f"descriptions. **Random chance is {100 * CHANCE:.0f}%** (four options): a score near it means the model "
        "does not know the answers, whatever its size.",
        "",
        "Memory: weight memory of the variant in GB, its ratio to the bf16 model (the recipe reports 129G / "
        "65G / 35G for bf16 / 8-bit / 4-bit), and the peak while evaluating where measured.",
        "",
        markdown_table(header, rows),
        "## Per benchmark: micro (over questions), macro (over subjects) and categories",
        "",
        markdown_table(d_header, d_rows),
        "Data: " + "; ".join(modes) + ".",
    ]
    if limited:
        lines += ["", f"**Not the full sets**: at most {', '.join(map(str, limited))} question(s) per subject were "
                  "scored (evaluate.limit)."]
    return "\n".join(lines) + "\n"


def eval_chart(records: Sequence[dict], path: str | os.PathLike[str]) -> None:
    """Grouped bars: micro accuracy per variant and benchmark, one panel per shots setting."""
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
            ax.bar([x + i * width for x in range(len(variants))], values, width, label=BENCHMARK_LABELS.get(b, b))
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
                      bf16_reference: str = "sft2") -> None:
    """Write eval.md, eval.csv (the main table plus macro columns) and eval.png from result records."""
    records = list(records)
    write_text(md_path, eval_markdown(records, memory, bf16_reference))
    header, rows = eval_rows(records, memory, bf16_reference)
    macro = {(r["variant"], r["benchmark"], r["shots"]): r["macro"] for r in records}
    benchmarks = _ordered([r["benchmark"] for r in records], MAIN_BENCHMARKS)
    shots = sorted({r["shots"] for r in records})
    variants = _ordered([r["variant"] for r in records] + list(memory or {}), VARIANTS)
    macro_header = [f"{BENCHMARK_LABELS.get(b, b)} {s}-shot macro" for s in shots for b in benchmarks]
    csv_rows = [row[:-2] + [_pct(macro.get((v, b, s))) for s in shots for b in benchmarks] + row[-2:]
                for v, row in zip(variants, rows)]
    write_csv(csv_path, header[:-2] + macro_header + header[-2:], csv_rows)
    eval_chart(records, png_path)
