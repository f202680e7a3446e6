"""results/pretrain.md (+ loss curves) and results/perplexity.md: what each stage did and what it changed."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Mapping, Sequence

from xuanyuan.shards import read_json
from xuanyuan.tables import markdown_table, write_csv, write_text
from xuanyuan.train.metrics import read_metrics
from xuanyuan.train.settings import Restart
from xuanyuan.train.spikes import summary_lines
from xuanyuan.train.validation import SETS as VALIDATION_SETS
from xuanyuan.train.validation import record_keys


def _mean(values: Sequence[float]) -> float | None:
    values = [v for v in values if v is not None and math.isfinite(v)]
    return sum(values) / len(values) if values else None


def _fmt(value: Any, digits: int = 4) -> Any:
    return "-" if value is None else (round(value, digits) if isinstance(value, float) else value)


def _trainable(names: Sequence[str]) -> str:
    """A short description of the trainable tensors: their names when few, else how many."""
    return ", ".join(names) if len(names) <= 3 else f"{len(names)} tensors (all)"


SPIKE_COLOURS = {"loss": "tab:red", "grad_norm": "tab:orange"}


def plot_losses(curves: Mapping[str, list[dict[str, Any]]], png_path: str | Path,
                spans: Mapping[str, list[tuple[int, int, str]]] | None = None) -> None:
    """One panel per stage; `spans`: (first, last step, quantity) of each stage's spikes, shaded (red: loss,
    orange: gradient norm; a one-step spike can vanish in the logged means, which average `log_every` steps).
    With held-out perplexity in the records (pretrain.validation), a second row of panels shows it per set."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    validated = any(validation_steps(records) for records in curves.values())
    rows = 2 if validated else 1
    figure, axes = plt.subplots(rows, len(curves), figsize=(4.5 * len(curves), 3.4 * rows), squeeze=False)
    for axis, records in zip(axes[1] if validated else [], curves.values()):
        _plot_validation(axis, validation_steps(records))
    for axis, (stage, records) in zip(axes[0], curves.items()):
        axis.plot([r["step"] for r in records], [r["loss"] for r in records], marker=".", linewidth=1)
        # At least 1% of the axis wide: a one-step spike in a long stage is still seen.
        least = max((r["step"] for r in records), default=0) / 200
        for first, last, quantity in (spans or {}).get(stage, ()):
            half = max((last - first + 1) / 2, least)
            axis.axvspan((first + last) / 2 - half, (first + last) / 2 + half, color=SPIKE_COLOURS[quantity],
                         alpha=0.3, linewidth=0)
        axis.set_title(stage)
        axis.set_xlabel("step")
        axis.set_ylabel("training loss")
        axis.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(png_path, dpi=110)
    plt.close(figure)


def _plot_validation(axis, records: Sequence[Mapping[str, Any]]) -> None:
    """Held-out perplexity per character of each set over the steps (log scale: the sets differ by orders)."""
    for name in VALIDATION_SETS:
        key = _char_key(name)
        points = [(r["step"], r[key]) for r in records if key in r]
        if points:
            axis.plot([step for step, _ in points], [value for _, value in points], marker=".", linewidth=1,
                      label=name)
    axis.set_xlabel("step")
    axis.set_ylabel("held-out perplexity per character")
    axis.set_yscale("log")
    axis.grid(alpha=0.3)
    axis.legend(fontsize="small")


def _char_key(name: str) -> str:
    return record_keys(name)[0]


def validation_steps(records: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The metrics records that carry held-out perplexity (xuanyuan.train.validation)."""
    keys = [_char_key(name) for name in VALIDATION_SETS]
    return [r for r in records if any(key in r for key in keys)]


def validation_section(curves: Mapping[str, Sequence[Mapping[str, Any]]]) -> list[str]:
    """The "Held-out perplexity during the stages" section; empty without pretrain.validation."""
    rows = [[stage, r["step"], *(_fmt(r.get(_char_key(name)), 3) for name in VALIDATION_SETS)]
            for stage, records in curves.items() for r in validation_steps(records)]
    if not rows:
        return []
    return ["\n## Held-out perplexity during the stages\n",
            "Per-character perplexity on the first `pretrain.validation.max_docs` held-out documents of each set "
            "(the same split and layout as results/perplexity.md, which scores more documents on each export), "
            "every `pretrain.validation.every` steps and at each stage's end; the lower row of the figure. The "
            "base stand-in reads byte pieces for Chinese, so its zh and finance numbers start high.\n",
            markdown_table(["stage", "step", *(f"{name} ppl/char" for name in VALIDATION_SETS)], rows)]


def _restart_line(stage: str, restart: Restart) -> str:
    step, skipped = restart.from_step, restart.skip_steps
    parts = [f"steps {step + 1}-{step + skipped} skipped" if skipped else None,
             f"lr x{restart.lr_scale:g} from here on" if restart.lr_scale != 1.0 else None]
    return f"- {stage}, after step {step}: " + ("; ".join(filter(None, parts)) or "no change")


def spike_spans(summaries: Sequence[tuple[str, Mapping[str, Any]]]) -> dict[str, list[tuple[int, int, str]]]:
    """Each stage's spikes as (first step, last step, quantity), for the loss curves."""
    return {stage: [(spike["step"], spike["last_step"], spike["quantity"])
                    for spike in (summary.get("spikes") or {}).get("found", ())]
            for stage, summary in summaries}


def spike_section(summaries: Sequence[tuple[str, Mapping[str, Any]]]) -> list[str]:
    """The "Spikes" section: each stage's spikes with the restarts entry that rewinds past them, or how many of
    its steps were checked (none before `window` steps were seen). Empty when no stage watched for them."""
    lines = []
    for stage, summary in summaries:
        watched, settings = summary.get("spikes"), summary.get("settings", {}).get("pretrain", {}).get("spikes")
        if not watched or not settings or not settings["enabled"]:
            continue
        found = summary_lines(stage, summary)
        lines.append(f"- {stage}: {watched['checked']} of {summary['steps']} steps checked (window "
                     f"{settings['window']}, threshold {settings['threshold']:g}, min rise {settings['min_rise']:g}): "
                     + (f"{len(found)} spike(s)" if found else "none"))
        lines += [f"  - {line}" for line in found]
    if not lines:
        return []
    return ["\n## Spikes\n",
            "Steps whose loss (mean over ranks) or gradient norm (before clipping) rose above the median of the "
            "`window` steps before them by more than `threshold` robust standard deviations (1.4826 x MAD) and "
            "by `min_rise` (`pretrain.spikes`, docs/pretrain.md). The checkpoint named is kept past "
            "keep_checkpoints when `keep_checkpoint` is on; the loss curves shade each spike's steps (red: loss, "
            "orange: gradient norm).\n", *lines]


# Timed peaks of one run further apart than this: the timing, not the hardware, varied.
PEAK_SPREAD_WARNING = 1.5


def measured_peak_note(summaries: Sequence[tuple[str, Mapping[str, Any]]]) -> list[str]:
    """A warning when the stages' timed peaks differ widely: their MFUs then do not compare."""
    measured = {stage: s["peak_tflops"] for stage, s in summaries
                if str(s.get("peak_source", "")).startswith("measured") and s.get("peak_tflops")}
    if len(measured) < 2 or max(measured.values()) < PEAK_SPREAD_WARNING * min(measured.values()):
        return []
    low, high = min(measured, key=measured.get), max(measured, key=measured.get)
    return [f"\n**The timed peaks differ {measured[high] / measured[low]:.1f}x** ({low} {measured[low]:.3g}, {high} "
            f"{measured[high]:.3g} TFLOP/s): each job times a matrix product for a fraction of a second when it "
            "starts, and on a shared or virtual machine that timing varies with whatever else runs then. Compare "
            "the stages by TFLOP/s per device, not by MFU, or set `pretrain.peak_tflops`.\n"]


def write_pretrain_report(
    stages: Sequence[tuple[str, str, str]], *, md_path: str, csv_path: str, png_path: str, chash: str, version: str,
) -> None:
    """`stages`: (stage, metrics JSONL, export's xuanyuan_train.json) in training order."""
    rows, curves, data_lines, restart_lines, summaries = [], {}, [], [], []
    for stage, metrics_path, summary_path in stages:
        records, summary = read_metrics(metrics_path), read_json(summary_path)
        curves[stage] = records
        summaries.append((stage, summary))
        for restart in summary.get("settings", {}).get("pretrain", {}).get(stage, {}).get("restarts") or ():
            restart_lines.append(_restart_line(stage, Restart(**restart)))
        if summary.get("curriculum"):
            data_lines.append(f"- {stage}: " + "; ".join(
                f"{phase} {p['read']:,} of {p['samples']:,} samples ({p['epochs']:.3g} passes)"
                for phase, p in summary["curriculum"].items()))
        steady = records[1:] or records  # the first interval includes start-up (engine build, first-step compile)
        rows.append([
            stage, summary["steps"], summary["world_size"], f"{summary['params']['total']:,}",
            _trainable(summary["trainable"]),
            _fmt(records[0]["loss"] if records else None), _fmt(records[-1]["loss"] if records else None),
            _fmt(summary["eval_loss"]), _fmt(_mean([r["tokens_per_s"] for r in steady]), 1),
            _fmt(_mean([r["tflops"] for r in steady])), _fmt(_mean([r["mfu"] for r in steady])),
            _fmt(summary.get("peak_tflops")), summary.get("peak_source", "-"), summary["resumed_from"],
        ])
    plot_losses(curves, png_path, spike_spans(summaries))
    peak_note = measured_peak_note(summaries)
    header = ["stage", "steps", "processes", "parameters", "trainable", "first loss", "last loss", "eval loss",
              "tokens/s per device", "TFLOP/s per device", "MFU", "peak TFLOP/s", "peak from", "resumed from step"]
    write_text(md_path, "\n".join([
        "# Continued pretraining\n",
        f"config `{chash}` · code `{version}`\n",
        "Losses are per token of each stage's own tokenizer (the stand-in base uses the base tokenizer, stages 1 "
        "and 2 the expanded one), so compare stages with results/perplexity.md, not with these. Throughput is the "
        "mean over logged intervals after the first; TFLOP/s and MFU use FLOPs per token = 6 x parameters "
        "(without input embeddings) + 12 x layers x hidden x sequence (docs/pretrain.md), and the peak FLOP/s "
        "of one device: `pretrain.peak_tflops`, else the datasheet (the device table in docs/pretrain.md), else a "
        "large matrix product timed on the device when the job started (the CPU's, which varies between runs "
        "and machines); `peak from` says which.\n",
        markdown_table(header, rows),
        *peak_note,
        *(["\n## Data read per mixing phase\n",
           "Each stage's samples (steps x global batch) spread over its phases in order, in proportion to their "
           "sizes (xuanyuan.tokdata.StageCurriculum):\n", *data_lines] if data_lines else []),
        *(["\n## Restarts\n",
           "Where a stage went on from a checkpoint another way (`restarts` in its schedule, docs/pretrain.md): its "
           "curve has a gap over the skipped steps.\n", *restart_lines] if restart_lines else []),
        *spike_section(summaries),
        *validation_section(curves),
        f"\n![loss curves]({Path(png_path).name})\n",
    ]))
    write_csv(csv_path, ["config_hash", "code_version", *header], [[chash, version, *row] for row in rows])


def write_perplexity_report(
    results: Sequence[tuple[str, Mapping[str, Mapping[str, Any]]]], *, english_tolerance: float,
    md_path: str, csv_path: str, chash: str, version: str, before: str = "base", after: str = "stage2",
    derived: Mapping[str, tuple[str, float]] | None = None,
) -> dict[str, Any]:
    """`results`: (model variant, {set: perplexity_of(...)}) in pipeline order; returns the verdicts of the
    recipe's question, `before` -> `after` (base -> stage 2: does Chinese improve while English holds?).

    `derived`: {variant: (the variant it was made from, allowed relative rise)}, e.g. the quantized
    models and their bf16 source; their change per set is reported against the allowance."""
    sets = sorted({name for _, by_set in results for name in by_set})
    rows = [[variant, *[_fmt(by_set[name]["ppl_char"], 4) if name in by_set else "-" for name in sets]]
            for variant, by_set in results]
    token_rows = [[variant, *[_fmt(by_set[name]["ppl_token"], 3) if name in by_set else "-" for name in sets],
                   *[by_set[name]["docs"] if name in by_set else "-" for name in sets]] for variant, by_set in results]
    by_variant = dict(results)
    if before not in by_variant or after not in by_variant:
        raise ValueError(f"perplexity report: needs variants {before!r} and {after!r}, got {list(by_variant)}")
    first, last = (before, by_variant[before]), (after, by_variant[after])
    verdicts = {}
    for name in sets:
        before, after = first[1][name]["ppl_char"], last[1][name]["ppl_char"]
        change = after / before - 1
        if name == "en":
            holds = change <= english_tolerance
            verdicts[name] = {"before": before, "after": after, "change": change, "ok": holds,
                              "expect": f"within +{english_tolerance:.0%}"}
        else:
            verdicts[name] = {"before": before, "after": after, "change": change, "ok": after < before, "expect": "falls"}
    verdict_rows = [[name, _fmt(v["before"]), _fmt(v["after"]), f"{100 * v['change']:+.1f}%", v["expect"],
                     "yes" if v["ok"] else "NO"] for name, v in verdicts.items()]
    derived_lines = []
    if derived:
        derived_rows = []
        for variant, (source, allowed) in derived.items():
            if variant not in by_variant or source not in by_variant:
                continue
            for name in sets:
                base_ppl, ppl = by_variant[source][name]["ppl_char"], by_variant[variant][name]["ppl_char"]
                change = ppl / base_ppl - 1
                derived_rows.append([variant, source, name, _fmt(base_ppl), _fmt(ppl), f"{100 * change:+.2f}%",
                                     f"within +{allowed:.0%}", "yes" if change <= allowed else "NO"])
        if derived_rows:
            derived_lines = ["\n## Quantized variants vs their source\n",
                             markdown_table(["model", "source", "set", "source ppl/char", "ppl/char", "change", "goal",
                                             "met"], derived_rows)]
    write_text(md_path, "\n".join([
        "# Perplexity on held-out text\n",
        f"config `{chash}` · code `{version}`\n",
        "Held-out documents (the tokenizer stage's id-hash split, never in any training data), per set: zh "
        "(general Chinese), en, finance (either language). Per-character perplexity = exp(total NLL / characters) "
        "is comparable across tokenizers (the base spells a Chinese character in byte pieces, the expanded "
        "tokenizer in one piece); per-token perplexity only between models sharing a tokenizer.\n",
        "## Per-character perplexity\n",
        markdown_table(["model", *sets], rows),
        f"\n## {first[0]} -> {last[0]}\n",
        markdown_table(["set", first[0], last[0], "change", "expected", "as expected"], verdict_rows),
        "\n## Per-token perplexity and documents\n",
        markdown_table(["model", *[f"{s} ppl/token" for s in sets], *[f"{s} docs" for s in sets]], token_rows),
        *derived_lines,
    ]))
    csv_rows = [[chash, version, variant, name, by_set[name]["docs"], by_set[name]["tokens"], by_set[name]["chars"],
                 by_set[name]["ppl_token"], by_set[name]["ppl_char"]]
                for variant, by_set in results for name in sets if name in by_set]
    write_csv(csv_path, ["config_hash", "code_version", "model", "set", "docs", "tokens", "chars", "ppl_token",
                         "ppl_char"], csv_rows)
    return verdicts
