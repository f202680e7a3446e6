"""results/sft.md (+ loss curves, sft.csv): what each SFT stage trained on, how it trained, and sample answers.

Per stage: records ingested / kept / ledgered by reason, tokenization before the mix (truncated,
dropped as too long), the mix of what fits (target vs trained share per cell, and per domain for
stage 2, counted on the packed rows) and packing (rows, fill, padding saved against one
conversation per row). Then the training summary and loss curves,
then the answers of each reported variant to the fixed sample questions, as generated.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

from xuanyuan.shards import read_json
from xuanyuan.tables import markdown_table, write_csv, write_text
from xuanyuan.train.metrics import read_metrics
from xuanyuan.train.report import _fmt, plot_losses, spike_section, spike_spans


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.2f}%"


def _data_section(stats: Mapping[str, Any]) -> list[str]:
    ingest, tok, pack, mixed = stats["ingest"], stats["tokenize"], stats["packing"], stats["mix"]
    refused = ", ".join(f"{reason} {n}" for reason, n in ingest["by_reason"].items()) or "none"
    lines = [
        f"## {stats['stage']}: data\n",
        f"Files: {', '.join(f'`{f}`' for f in stats['files'])}\n",
        f"- records {ingest['records']:,}: kept {ingest['kept']:,}, ledgered {ingest['records'] - ingest['kept']:,} "
        f"({refused}); multi-turn kept {ingest['multi_turn']:,}",
        # Tokenized before the mix: conversations too long for max_length never enter it.
        f"- tokenized at max_length {tok['max_length']} ({tok['overflow']}), before mixing: fit {tok['kept']:,} "
        f"(truncated {tok['truncated']:,}), dropped as too long {tok['dropped']:,}",
        f"- mixed by {mixed['by']} from the conversations that fit: {mixed['taken']:,} conversations trained, "
        f"{stats['trained']['tokens']:,} tokens, {stats['trained']['learned_tokens']:,} learned "
        f"({_pct(stats['trained']['learned_tokens'] / stats['trained']['tokens'] if stats['trained']['tokens'] else None)})",
        f"- packed into {pack['rows']:,} rows of {pack['seq_length']} (fill {pack['fill']:.3f}); one conversation "
        f"per row would take {pack['unpacked_rows']:,} rows (fill {pack['unpacked_fill']:.3f}): padding saved "
        f"{pack['padding_saved']:,} positions\n",
    ]
    rows = [[r["cell"], r["pool"], r["too_long"], _pct(r["target_share"]), r["taken"], _pct(r["realised_share"]),
             r["repeats"]] for r in mixed["rows"]]
    lines.append(markdown_table(["cell", "pool (fits)", "too long", "target share", "trained", "trained share",
                                 "repeats"], rows))
    lines += _shares_lines(mixed["shares"])
    return lines


def _shares_lines(shares: Mapping[str, Any]) -> list[str]:
    """Trained vs target per domain (stage 2) or per mix key: shares of the conversations in the packed rows."""
    level = shares["level"]
    per_key = ", ".join(f"{key} {_pct(share)} (target {_pct(shares['target'][key])})"
                        for key, share in shares["trained"].items())
    lines = [f"\nTrained per {level} (share of the conversations in the packed rows): {per_key}\n"]
    if shares["off_target"]:
        off = ", ".join(f"{key} {_pct(v['trained'])} vs {_pct(v['target'])}" for key, v in shares["off_target"].items())
        lines.append(f"**Off target** (more than 1 point; the data could not meet the shares): {off}\n")
    return lines


def write_sft_report(stages: Sequence[tuple[str, str, str]], answers: Sequence[tuple[str, list[dict]]],
                     generate: Mapping[str, Any], *, md_path: str, csv_path: str, png_path: str,
                     chash: str, version: str) -> None:
    """`stages`: (stats.json, metrics JSONL, export's xuanyuan_train.json) per SFT stage; `answers`: (variant, records)."""
    lines = ["# Instruction tuning (SFT)\n", f"config `{chash}` · code `{version}`\n",
             "Loss on answers only (each answer and its closing `</s>`); prompts in XuanYuan-70B-Chat's released "
             "format (docs/sft.md). Several conversations share a row without attending to each other.\n"]
    curves, train_rows, csv_rows, summaries = {}, [], [], []
    for stats_path, metrics_path, summary_path in stages:
        stats, records, summary = read_json(stats_path), read_metrics(metrics_path), read_json(summary_path)
        stage = stats["stage"]
        curves[stage] = records
        summaries.append((stage, summary))
        lines += _data_section(stats)
        train_rows.append([stage, summary["steps"], summary["world_size"], stats["packing"]["seq_length"],
                           _fmt(records[0]["loss"] if records else None), _fmt(records[-1]["loss"] if records else None),
                           _fmt(summary["eval_loss"]), summary["resumed_from"]])
        for row in stats["mix"]["rows"]:
            csv_rows.append([chash, version, stage, row["cell"], row["pool"], row["target_share"], row["taken"],
                             row["realised_share"], row["repeats"]])
    plot_losses(curves, png_path, spike_spans(summaries))
    lines += ["## Training\n",
              markdown_table(["stage", "steps", "processes", "seq_length", "first loss", "last loss", "eval loss",
                              "resumed from step"], train_rows),
              *spike_section(summaries),
              f"\n![SFT loss curves]({Path(png_path).name})\n",
              "## Sample answers\n",
              f"Fixed questions, sampled with temperature {generate['temperature']}, top_p {generate['top_p']}, "
              f"at most {generate['max_new_tokens']} new tokens, seed {generate['seed']}. A tiny model trained for "
              "minutes on generated data: the answers show the format and the stop at `</s>`, not knowledge.\n"]
    for variant, records in answers:
        lines.append(f"### {variant}\n")
        for record in records:
            history = "".join(f"> Human: {q}\n>\n> Assistant: {a}\n>\n" for q, a in record["history"])
            lines.append(f"{history}> Human: {record['question']}\n\n{record['answer'] or '(empty answer)'}\n\n"
                         f"*{record['new_tokens']} tokens*\n")
    write_text(md_path, "\n".join(lines))
    write_csv(csv_path, ["config_hash", "code_version", "stage", "cell", "pool", "target_share", "taken",
                         "realised_share", "repeats"], csv_rows)
