"""results/mix.md and results/mix.csv: target vs realised shares per phase, and what each cell gave.

Shares and epochs are in the plan's unit (``tokens`` or ``chars``, named in every heading); with
a token plan, character shares are shown beside them for information. The realised numbers
come from the apply jobs' stats files (what was really written) and are first checked against
the plan, per phase and cell, for documents, characters and tokens (written.py). Given the
tokenize stage's per-phase stats, the report also shows the token shares measured in the .bin
files, after checking them against the plan too (binary.py). A difference is a MixMismatch.

CSV columns: ``config_hash, code_version, table, phase, attribute, value, source, lang, domain,
kind, metric, amount``, one number per row; ``<unit>`` is ``tokens`` or ``chars``:

- ``table=phase``: metrics ``<unit>_budget``, ``tokens`` (token plans), ``chars``, ``docs``,
  ``raking_rounds``, and ``binary_tokens``, ``binary_docs`` (with the tokenize stats);
- ``table=share`` (attribute, value; value ``(rest)`` is a constrained attribute's leftover group):
  ``target`` (constrained values only), ``share`` (of the phase's <unit>), ``char_share`` (token
  plans), and ``binary_token_share`` (lang, domain and source, with the tokenize stats), fractions;
- ``table=cell`` (source, lang, domain, kind; phase ``all`` for the totals): ``available_<unit>``,
  ``available_chars``, ``available_docs`` (``all`` only), ``target_<unit>`` (per phase), ``<unit>``,
  ``chars``, ``docs``, ``epochs`` (in <unit>); with unit chars the chars metrics appear once; with
  the held-out counts, ``input_docs``, ``input_chars``, ``heldout_docs``, ``heldout_chars`` (``all``),
  for every cell that had documents, even one whose documents were all held out.
"""

from __future__ import annotations

import os
from typing import Any, Mapping, Sequence

from xuanyuan.mix.binary import binary_share_rows, check_binary, read_binary_stats
from xuanyuan.mix.cells import ATTRIBUTES, Cell, attribute_totals
from xuanyuan.mix.errors import MixMismatch
from xuanyuan.mix.heldout import heldout_totals
from xuanyuan.mix.measure import TOKENS
from xuanyuan.mix.plan import Plan
from xuanyuan.mix.shares import ShareRow, label, off_text, percent, share_layout, target_text
from xuanyuan.mix.written import Written, check_against_plan, written_totals
from xuanyuan.tables import markdown_table, write_csv, write_text

CSV_HEADER = [
    "config_hash", "code_version", "table", "phase", "attribute", "value",
    "source", "lang", "domain", "kind", "metric", "amount",
]
BLANK_CELL = ["", "", "", ""]

# (share row, share of the unit, character share) and (share row, plan share, binary token share)
ShareLine = tuple[ShareRow, float, float]


def write_mix_report(
    plan: Plan,
    stats_paths_by_phase: Mapping[str, Sequence[str | os.PathLike[str]]],
    md_path: str | os.PathLike[str],
    csv_path: str | os.PathLike[str],
    *,
    stamp: str,
    chash: str,
    version: str,
    token_stats_by_phase: Mapping[str, str | os.PathLike[str]] | None = None,
    heldout_paths: Sequence[str | os.PathLike[str]] | None = None,
) -> None:
    """Check the written stats (and the binary token stats, if given) against the plan, then write the tables.

    With `heldout_paths` (the apply jobs' held-out counts, heldout.py) the report also shows, per
    cell, the documents held out for evaluation, after checking that the rest is what the plan had.
    """
    written = written_totals(plan, stats_paths_by_phase)
    check_against_plan(plan, written)
    binary = None
    if token_stats_by_phase is not None:
        binary = read_binary_stats(plan, token_stats_by_phase)
        check_binary(plan, binary)
    heldout = None
    if heldout_paths is not None:
        heldout = heldout_totals(heldout_paths)
        _check_heldout(plan, heldout[0])
    shares = _share_lines(plan, written)
    binary_lines = binary_share_rows(plan, binary) if binary is not None else None
    write_text(md_path, _markdown(plan, written, shares, binary, binary_lines, stamp, heldout))
    rows = _csv_rows(plan, written, shares, binary, binary_lines, heldout)
    write_csv(csv_path, CSV_HEADER, [[chash, version, *row] for row in rows])


def _check_heldout(plan: Plan, heldout: Mapping[Cell, Mapping[str, int]]) -> None:
    """MixMismatch unless, per cell, what was read minus what was held out is what the plan divided."""
    index = {cell: i for i, cell in enumerate(plan.cells)}
    problems = []
    for cell in sorted(set(index) | set(heldout)):
        counts = heldout.get(cell, {"docs": 0, "chars": 0, "heldout_docs": 0, "heldout_chars": 0})
        docs, chars = counts["docs"] - counts["heldout_docs"], counts["chars"] - counts["heldout_chars"]
        i = index.get(cell)
        planned = (int(plan.cell_docs[i]), int(plan.cell_chars[i])) if i is not None else (0, 0)
        if (docs, chars) != planned:
            problems.append(
                f"{'/'.join(cell)}: read {docs:,} docs, {chars:,} chars besides the held-out ones; "
                f"the plan had {planned[0]:,} docs, {planned[1]:,} chars"
            )
    if problems:
        raise MixMismatch(
            "the mix apply jobs read other documents than the histograms the plan was made from (shards that "
            "changed between plan and apply, or another tokenizer.heldout_fraction; rerun the mix stage):\n  "
            + "\n  ".join(problems[:20])
        )


def _share_lines(plan: Plan, written: Written) -> list[ShareLine]:
    """Per phase and attribute value: the row, its share of the unit and of the characters."""
    lines = []
    for p in range(len(plan.phases)):
        amounts = {a: attribute_totals(plan.cells, written.amounts[:, p].tolist(), a) for a in ATTRIBUTES}
        chars = {a: attribute_totals(plan.cells, written.chars[:, p].tolist(), a) for a in ATTRIBUTES}
        for row in share_layout(plan, p, amounts):
            lines.append((row, row.share(amounts[row.attribute]), row.share(chars[row.attribute])))
    return lines


def _markdown(
    plan: Plan,
    written: Written,
    shares: list[ShareLine],
    binary: Mapping[str, Mapping[str, Any]] | None,
    binary_lines: list[ShareLine] | None,
    stamp: str,
    heldout: tuple[Mapping[Cell, Mapping[str, int]], float | None] | None = None,
) -> str:
    unit, tokens = plan.unit, plan.unit == TOKENS
    epochs = plan.epochs()
    phase_header = ["phase", f"budget {unit}", f"written {unit}"] + (["written chars"] if tokens else [])
    phase_header += ["written docs", "vs budget", "raking rounds", "most epochs of a cell"]
    phase_rows = []
    for p, name in enumerate(plan.phase_names):
        total, budget = int(written.amounts[:, p].sum()), plan.budgets[p]
        row: list[Any] = [name, budget, total] + ([int(written.chars[:, p].sum())] if tokens else [])
        row += [int(written.docs[:, p].sum()), f"{100 * (total / budget - 1):+.2f}%", plan.raking[p]["rounds"],
                f"{epochs[:, p].max(initial=0):.3f}"]
        phase_rows.append(row)

    share_header = ["phase", "attribute", "value", "target", f"realised ({unit})", "off (pp)"]
    share_header += ["chars share"] if tokens else []
    share_rows = []
    for row, share, char_share in shares:
        line = [row.phase, row.attribute, label(row), target_text(row), percent(share), off_text(row, share)]
        share_rows.append(line + ([percent(char_share)] if tokens else []))

    cell_header = ["source", "lang", "domain", "kind", unit] + (["chars"] if tokens else []) + ["docs"]
    for name in plan.phase_names:
        cell_header += [f"{name} {unit}", f"{name} epochs"]
    cell_header.append("epochs total")
    total_epochs = plan.total_epochs()
    cell_rows = []
    for i, cell in enumerate(plan.cells):
        row = [*cell, int(plan.cell_amounts[i])] + ([int(plan.cell_chars[i])] if tokens else [])
        row.append(int(plan.cell_docs[i]))
        for p in range(len(plan.phases)):
            row += [int(written.amounts[i, p]), f"{epochs[i, p]:.3f}"]
        cell_rows.append(row + [f"{total_epochs[i]:.3f}"])

    unit_note = (
        "Shares, budgets and epochs are of tokens (the expanded tokenizer's ids plus one EOS per document, as the "
        "tokenize stage stores them); character shares are shown for information."
        if tokens else "Shares, budgets and epochs are of characters."
    )
    parts = [
        "# Data mix\n",
        f"{stamp}\n",
        f"{len(plan.cells)} cells (source/lang/domain/kind), documents ordered by hash bucket (seed {plan.seed}, "
        f"2^{plan.bits} buckets per cell), at most {plan.max_epochs:g} epochs of any cell over all phases. "
        f"{unit_note} Realised numbers are what the apply jobs wrote; they equal the plan's exactly (checked). "
        f"Epochs: {unit} a phase takes from a cell / the cell's {unit}.{_heldout_note(heldout)} See docs/mix.md.\n",
        f"## Phases ({unit})\n",
        markdown_table(phase_header, phase_rows),
        f"## Shares per phase ({unit})\n",
        "Target `-`: the phase does not constrain that attribute. `(in rest)`: an unlisted value; together the "
        "unlisted values take the `(rest)` row's target, in proportion to their size.\n",
        markdown_table(share_header, share_rows),
    ]
    if binary is not None and binary_lines is not None:
        parts += _binary_markdown(plan, written, binary, binary_lines)
    parts += [f"## Cells ({unit})\n", markdown_table(cell_header, cell_rows)]
    if heldout is not None:
        parts += _heldout_markdown(*heldout)
    return "\n".join(parts)


def _heldout_note(heldout) -> str:
    if heldout is None:
        return ""
    docs = sum(counts["heldout_docs"] for counts in heldout[0].values())
    chars = sum(counts["heldout_chars"] for counts in heldout[0].values())
    return f" {docs:,} documents ({chars:,} chars) are held out for evaluation and go to no phase (last section)."


def _heldout_markdown(heldout: Mapping[Cell, Mapping[str, int]], fraction: float | None) -> list[str]:
    header = ["source", "lang", "domain", "kind", "docs in", "held out docs", "held out chars", "to mix docs",
              "to mix chars"]
    rows, total = [], dict.fromkeys(("docs", "chars", "heldout_docs", "heldout_chars"), 0)
    for cell, counts in heldout.items():
        rows.append([*cell, counts["docs"], counts["heldout_docs"], counts["heldout_chars"],
                     counts["docs"] - counts["heldout_docs"], counts["chars"] - counts["heldout_chars"]])
        for key in total:
            total[key] += counts[key]
    rows.append(["**all**", "", "", "", total["docs"], total["heldout_docs"], total["heldout_chars"],
                 total["docs"] - total["heldout_docs"], total["chars"] - total["heldout_chars"]])
    share = f"{fraction:g} of the documents" if fraction is not None else "a share of the documents"
    return [
        "## Held out for evaluation\n",
        f"The tokenizer stage holds out {share} by id hash (`tokenizer.heldout_fraction`): the tokenizer's "
        "compression table and the perplexity table are measured on them, so no phase gets them. `docs in` are "
        "the quality stage's kept documents; `to mix` is what the cells above hold (checked).\n",
        markdown_table(header, rows),
    ]


def _binary_markdown(plan, written, binary, binary_lines) -> list[str]:
    unit = plan.unit
    totals = [
        [name, int(written.amounts[:, p].sum()), int(binary[name]["tokens"]), int(binary[name]["docs"])]
        for p, name in enumerate(plan.phase_names)
    ]
    checked = (
        "The tokens, characters and documents per phase, lang, domain and source equal the plan's exactly (checked)."
        if unit == TOKENS else
        "The characters and documents per phase, lang, domain and source equal the plan's exactly (checked); the "
        "plan is in characters, so its shares are of characters and the token shares can differ."
    )
    rows = [
        [row.phase, row.attribute, label(row), target_text(row), percent(planned), percent(measured),
         off_text(row, measured)]
        for row, planned, measured in binary_lines
    ]
    return [
        "## Token shares in the binary data\n",
        f"Measured by the tokenize stage in each phase's .bin files (EOS included). {checked}\n",
        markdown_table(["phase", f"planned {unit}", "tokens in .bin", "docs in .bin"], totals),
        markdown_table(["phase", "attribute", "value", "target", f"plan ({unit})", "binary (tokens)",
                        "binary off target (pp)"], rows),
    ]


def _csv_rows(
    plan: Plan,
    written: Written,
    shares: list[ShareLine],
    binary: Mapping[str, Mapping[str, Any]] | None,
    binary_lines: list[ShareLine] | None,
    heldout: tuple[Mapping[Cell, Mapping[str, int]], float | None] | None = None,
) -> list[list[Any]]:
    unit, tokens = plan.unit, plan.unit == TOKENS
    rows: list[list[Any]] = []
    for p, name in enumerate(plan.phase_names):
        metrics = [(f"{unit}_budget", plan.budgets[p])]
        metrics += [(TOKENS, int(written.amounts[:, p].sum()))] if tokens else []
        metrics += [("chars", int(written.chars[:, p].sum())), ("docs", int(written.docs[:, p].sum())),
                    ("raking_rounds", plan.raking[p]["rounds"])]
        if binary is not None:
            metrics += [("binary_tokens", int(binary[name]["tokens"])), ("binary_docs", int(binary[name]["docs"]))]
        rows += [["phase", name, "", "", *BLANK_CELL, metric, amount] for metric, amount in metrics]
    for row, share, char_share in shares:
        key = ["share", row.phase, row.attribute, row.value, *BLANK_CELL]
        if row.target is not None:
            rows.append([*key, "target", row.target])
        rows.append([*key, "share", share])
        if tokens:
            rows.append([*key, "char_share", char_share])
    for row, _, measured in binary_lines or []:
        rows.append(["share", row.phase, row.attribute, row.value, *BLANK_CELL, "binary_token_share", measured])
    epochs = plan.epochs()
    total_epochs = plan.total_epochs()
    for i, cell in enumerate(plan.cells):
        available = [(f"available_{unit}", int(plan.cell_amounts[i]))]
        available += [("available_chars", int(plan.cell_chars[i]))] if tokens else []
        available += [("available_docs", int(plan.cell_docs[i]))]
        rows += [["cell", "all", "", "", *cell, metric, amount] for metric, amount in available]
        for p, name in enumerate(plan.phase_names):
            per_phase = [(f"target_{unit}", round(float(plan.target[i, p]), 3)), (unit, int(written.amounts[i, p]))]
            per_phase += [("chars", int(written.chars[i, p]))] if tokens else []
            per_phase += [("docs", int(written.docs[i, p])), ("epochs", float(epochs[i, p]))]
            rows += [["cell", name, "", "", *cell, metric, amount] for metric, amount in per_phase]
        totals = [(unit, int(written.amounts[i].sum()))]
        totals += [("chars", int(written.chars[i].sum()))] if tokens else []
        totals += [("docs", int(written.docs[i].sum())), ("epochs", float(total_epochs[i]))]
        rows += [["cell", "all", "", "", *cell, metric, amount] for metric, amount in totals]
    for cell, counts in (heldout[0] if heldout is not None else {}).items():
        metrics = [("input_docs", counts["docs"]), ("input_chars", counts["chars"]),
                   ("heldout_docs", counts["heldout_docs"]), ("heldout_chars", counts["heldout_chars"])]
        rows += [["cell", "all", "", "", *cell, metric, amount] for metric, amount in metrics]
    return rows
