"""Sum the per-shard ledgers of every data stage into results/data_funnel.{md,csv,png}.

It is also the pipeline's accounting check: within a stage, input must equal kept +
dropped; across stages, a stage's input for a source must equal the previous stage's kept
count. Any mismatch means a document vanished without a record, and fails the run.

After the last data stage the mix holds out the tokenizer stage's evaluation split (by id hash):
given the mix apply jobs' held-out counts (xuanyuan.mix.heldout), the funnel shows them as the
"held out for evaluation" step and checks that what the last stage kept = held out + to mixing.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from xuanyuan.provenance import code_version, config_hash
from xuanyuan.shards import read_json
from xuanyuan.tables import markdown_table, percent, write_csv, write_text

COUNTS = ("input", "kept", "dropped", "chars_in", "chars_out")
BY_RULE = ("dropped_by_rule", "lines_removed_by_rule", "chars_removed_by_rule", "edits_by_rule", "docs_edited_by_rule")


class FunnelMismatch(RuntimeError):
    """A stage lost or invented documents: the ledgers do not add up."""


@dataclass
class StageSource:
    counts: Counter[str] = field(default_factory=Counter)
    by_rule: dict[str, Counter[str]] = field(default_factory=lambda: {key: Counter() for key in BY_RULE})

    def add(self, stats: dict[str, Any]) -> None:
        for key in COUNTS:
            self.counts[key] += int(stats.get(key, 0))
        for key in BY_RULE:
            self.by_rule[key].update(stats.get(key, {}))


def aggregate(stats_paths: dict[str, list[str]]) -> dict[tuple[str, str], StageSource]:
    """(stage, source) -> summed counts over all shards."""
    totals: dict[tuple[str, str], StageSource] = defaultdict(StageSource)
    for stage, paths in stats_paths.items():
        for path in paths:
            stats = read_json(path)
            if stats.get("stage") != stage:
                raise FunnelMismatch(f"{path}: stats file says stage {stats.get('stage')!r}, expected {stage!r}")
            totals[(stage, stats["source"])].add(stats)
    return dict(totals)


HELDOUT_STEP = "held out for evaluation"


@dataclass
class HeldOut:
    """Per source: documents and characters that reached the mix, and those it held out for evaluation."""

    docs: int = 0
    chars: int = 0
    heldout_docs: int = 0
    heldout_chars: int = 0

    @property
    def to_mix(self) -> int:
        return self.docs - self.heldout_docs

    @property
    def to_mix_chars(self) -> int:
        return self.chars - self.heldout_chars


def aggregate_heldout(paths: list[str]) -> dict[str, HeldOut]:
    """source -> held-out counts summed over the mix apply jobs' files."""
    from xuanyuan.mix.heldout import heldout_totals

    by_source: dict[str, HeldOut] = defaultdict(HeldOut)
    for cell, counts in heldout_totals(paths)[0].items():
        entry = by_source[cell.source]
        entry.docs += counts["docs"]
        entry.chars += counts["chars"]
        entry.heldout_docs += counts["heldout_docs"]
        entry.heldout_chars += counts["heldout_chars"]
    return dict(sorted(by_source.items()))


def check_heldout(totals: dict[tuple[str, str], StageSource], stages: list[str], heldout: dict[str, HeldOut]) -> list[str]:
    """The mix read exactly what the last stage kept, per source (documents and characters)."""
    last = stages[-1]
    problems = []
    for source in sorted({source for _, source in totals} | set(heldout)):
        entry, held = totals.get((last, source)), heldout.get(source, HeldOut())
        kept, chars = (entry.counts["kept"], entry.counts["chars_out"]) if entry else (0, 0)
        if (held.docs, held.chars) != (kept, chars):
            problems.append(
                f"{HELDOUT_STEP}/{source}: the mix read {held.docs} documents ({held.chars} chars), "
                f"{last} kept {kept} ({chars} chars)"
            )
    return problems


def check_accounting(totals: dict[tuple[str, str], StageSource], stages: list[str]) -> list[str]:
    problems = []
    sources = sorted({source for _, source in totals})
    for source in sources:
        previous_kept = None
        for stage in stages:
            entry = totals.get((stage, source))
            if entry is None:
                problems.append(f"{stage}/{source}: no stats files")
                continue
            counts = entry.counts
            if counts["input"] != counts["kept"] + counts["dropped"]:
                problems.append(
                    f"{stage}/{source}: input {counts['input']} != kept {counts['kept']} + dropped {counts['dropped']}"
                )
            if previous_kept is not None and counts["input"] != previous_kept:
                problems.append(
                    f"{stage}/{source}: input {counts['input']} != {previous_kept} kept by the previous stage"
                )
            previous_kept = counts["kept"]
    return problems


def _rule_rows(totals, stages, key, extra_key=None):
    rows = []
    for stage in stages:
        for (row_stage, source), entry in sorted(totals.items()):
            if row_stage != stage:
                continue
            for rule, count in sorted(entry.by_rule[key].items(), key=lambda item: (-item[1], item[0])):
                row = [stage, source, rule, count]
                if extra_key:
                    row.append(entry.by_rule[extra_key].get(rule, 0))
                rows.append(row)
    return rows


def funnel_markdown(totals, stages, *, stamp: str, heldout: dict[str, HeldOut] | None = None) -> str:
    sources = sorted({source for _, source in totals})
    first = stages[0]
    mix_columns = [HELDOUT_STEP, "to mixing"] if heldout is not None else []
    header = ["source", f"{first} input"] + [f"after {stage}" for stage in stages] + mix_columns + ["kept of input"]
    rows = []
    grand = Counter()
    for source in sources:
        raw = totals[(first, source)].counts["input"]
        kept = [totals[(stage, source)].counts["kept"] for stage in stages]
        held = [heldout.get(source, HeldOut()).heldout_docs, heldout.get(source, HeldOut()).to_mix] if heldout is not None else []
        rows.append([source, raw, *kept, *held, percent(kept[-1], raw)])
        grand["raw"] += raw
        for stage, count in zip(stages, kept):
            grand[stage] += count
        for column, count in zip(mix_columns, held):
            grand[column] += count
    rows.append(["**all**", grand["raw"], *[grand[stage] for stage in stages], *[grand[c] for c in mix_columns],
                 percent(grand[stages[-1]], grand["raw"])])

    stage_rows = [
        [stage, source, entry.counts["input"], entry.counts["kept"], entry.counts["dropped"],
         entry.counts["chars_in"], entry.counts["chars_out"]]
        for stage in stages
        for (row_stage, source), entry in sorted(totals.items())
        if row_stage == stage
    ]
    intro = "Documents per source after each stage (for extraction, the input unit is a raw file or a raw JSONL line)."
    if heldout is not None:
        intro += (
            f" `kept of input` is after {stages[-1]}; of those, the mix holds out the tokenizer stage's evaluation "
            "split (`tokenizer.heldout_fraction`, by id hash: the tokenizer's compression and the perplexity tables "
            "are measured on it) and the rest goes to mixing (section below)."
        )
    parts = [
        "# Data funnel\n",
        f"{stamp}\n",
        intro + "\n",
        markdown_table(header, rows),
        "\n## Per stage and source\n",
        markdown_table(["stage", "source", "input", "kept", "dropped", "chars in", "chars out"], stage_rows),
        "\n## Dropped documents by rule\n",
        markdown_table(["stage", "source", "rule", "documents"], _rule_rows(totals, stages, "dropped_by_rule")),
        "\n## Removed lines by rule\n",
        markdown_table(
            ["stage", "source", "rule", "lines", "chars"],
            _rule_rows(totals, stages, "lines_removed_by_rule", "chars_removed_by_rule"),
        ),
        "\n## Edits by rule (normalisation, PII masks)\n",
        markdown_table(
            ["stage", "source", "rule", "edits", "documents"],
            _rule_rows(totals, stages, "edits_by_rule", "docs_edited_by_rule"),
        ),
    ]
    if heldout is not None:
        held_rows = [
            [source, held.docs, held.heldout_docs, held.heldout_chars, held.to_mix, held.to_mix_chars]
            for source, held in heldout.items()
        ]
        parts += [
            f"\n## Held out for evaluation (after {stages[-1]}, before mixing)\n",
            f"Checked: documents and characters in = what {stages[-1]} kept; in = held out + to mixing.\n",
            markdown_table(
                ["source", "documents in", "held out", "held out chars", "to mixing", "to mixing chars"], held_rows
            ),
        ]
    return "\n".join(parts)


def funnel_csv_rows(totals, stages, *, chash: str, version: str, heldout: dict[str, HeldOut] | None = None) -> list[list[Any]]:
    rows = []
    for stage in stages:
        for (row_stage, source), entry in sorted(totals.items()):
            if row_stage != stage:
                continue
            for key in COUNTS:
                rows.append([chash, version, stage, source, key, "", entry.counts[key]])
            for key in BY_RULE:
                for rule, count in sorted(entry.by_rule[key].items()):
                    rows.append([chash, version, stage, source, key, rule, count])
    for source, held in (heldout or {}).items():
        for key, value in [("input", held.docs), ("chars_in", held.chars), ("heldout", held.heldout_docs),
                           ("heldout_chars", held.heldout_chars), ("to_mix", held.to_mix),
                           ("to_mix_chars", held.to_mix_chars)]:
            rows.append([chash, version, "heldout", source, key, "", value])
    return rows


def plot_funnel(totals, stages, png_path: str, heldout: dict[str, HeldOut] | None = None) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sources = sorted({source for _, source in totals})
    first = stages[0]
    steps = [f"{first} input"] + [f"after {stage}" for stage in stages] + (["to mixing"] if heldout is not None else [])
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5.5), gridspec_kw={"width_ratios": [1, 1.2]})
    bottoms = [0] * len(steps)
    cmap = plt.get_cmap("tab10")
    for index, source in enumerate(sources):
        values = [totals[(first, source)].counts["input"]] + [totals[(stage, source)].counts["kept"] for stage in stages]
        if heldout is not None:
            values.append(heldout.get(source, HeldOut()).to_mix)
        left.barh(steps, values, left=bottoms, color=cmap(index % 10), label=source)
        bottoms = [b + v for b, v in zip(bottoms, values)]
    for y, total in enumerate(bottoms):
        left.text(total, y, f" {total:,}", va="center", fontsize=9)
    left.invert_yaxis()
    left.set_xlabel("documents")
    left.set_title("Documents kept after each stage")
    left.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=4, frameon=False)
    left.set_xlim(0, max(bottoms) * 1.12 if bottoms and max(bottoms) else 1)

    reasons: Counter[str] = Counter()
    for (stage, _), entry in totals.items():
        for rule, count in entry.by_rule["dropped_by_rule"].items():
            reasons[f"{stage}: {rule}"] += count
    top = sorted(reasons.items(), key=lambda item: (-item[1], item[0]))[:15]
    right.barh([name for name, _ in top], [count for _, count in top], color="#c0504d")
    right.invert_yaxis()
    right.set_xlabel("documents dropped")
    right.set_title("Top drop reasons (all sources)")
    right.tick_params(axis="y", labelsize=8)
    fig.tight_layout()
    # No Software/date metadata: the same run gives the same bytes.
    fig.savefig(png_path, dpi=100, metadata={"Software": None})
    plt.close(fig)


def write_funnel(
    stats_paths: dict[str, list[str]],
    *,
    stages: list[str],
    config: dict[str, Any],
    markdown_path: str,
    csv_path: str,
    png_path: str,
    heldout_paths: list[str] | None = None,
) -> dict[tuple[str, str], StageSource]:
    """Sum and check the ledgers (and the mix's held-out counts, given their files), write the funnel."""
    totals = aggregate(stats_paths)
    problems = check_accounting(totals, stages)
    heldout = aggregate_heldout(heldout_paths) if heldout_paths is not None else None
    if heldout is not None:
        problems += check_heldout(totals, stages, heldout)
    if problems:
        raise FunnelMismatch("the data ledgers do not add up:\n  " + "\n  ".join(problems))
    chash, version = config_hash(config), code_version()
    stamp = f"config `{chash}` · code `{version}`"
    write_text(markdown_path, funnel_markdown(totals, stages, stamp=stamp, heldout=heldout))
    write_csv(
        csv_path,
        ["config_hash", "code_version", "stage", "source", "metric", "rule", "value"],
        funnel_csv_rows(totals, stages, chash=chash, version=version, heldout=heldout),
    )
    plot_funnel(totals, stages, png_path, heldout)
    return totals
