"""Question by question: what each model variant changed against the one it was made from.

Accuracy alone hides how much a step changed: a quantized copy can hold its score while choosing
another option on a tenth of the questions, right ones lost and wrong ones gained in equal number.
Each record keeps its answer sheet (xuanyuan.evaluate.run.answer_sheet), so two variants scored on
the same questions with the same prompts can be compared one question at a time.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from xuanyuan.evaluate.significance import PairedChange, paired_change, rounded_p


def reference_variants(evaluated: Sequence[str], trained: Sequence[str], quantized: Sequence[str],
                       source: str) -> dict[str, str]:
    """{variant: the evaluated variant it is compared with}.

    A training stage is compared with the stage before it (stage 1 with the base, ...); a quantized
    copy with the bf16 copy when there is one (as the perplexity goals are), else with the model it was
    quantized from; the bf16 copy with that model. A variant whose reference is not evaluated has none.
    """
    present = set(evaluated)
    references = {}
    chain = [name for name in trained if name in present]
    for before, after in zip(chain, chain[1:]):
        references[after] = before
    full_precision = "bf16" if "bf16" in quantized and "bf16" in present else source
    for variant in quantized:
        reference = source if variant == full_precision else full_precision
        if variant in present and reference in present and reference != variant:
            references[variant] = reference
    return references


def pooled_sheet(record: Mapping) -> tuple[str, str, dict[str, str]] | None:
    """(choices, correctness, {subject: questions hash}) over every subject of a record, subjects in
    name order; None for a record written before answer sheets were kept."""
    subjects = record["subjects"]
    if any("answers" not in entry for entry in subjects.values()):
        return None
    names = sorted(subjects)
    return ("".join(subjects[name]["answers"]["choices"] for name in names),
            "".join(subjects[name]["answers"]["correct"] for name in names),
            {name: subjects[name]["answers"]["questions"] for name in names})


def compare_records(reference: Mapping, other: Mapping) -> PairedChange | str:
    """The paired change from `reference` to `other`, or why they cannot be compared."""
    sheets = pooled_sheet(reference), pooled_sheet(other)
    if None in sheets:
        return "no answer sheet (a record from before they were kept: rerun the evaluate jobs)"
    (ref_choices, ref_correct, ref_questions), (choices, correct, questions) = sheets
    if ref_questions != questions:
        return "not the same questions"
    return paired_change((ref_choices, ref_correct), (choices, correct))


def change_rows(records: Sequence[Mapping], references: Mapping[str, str], labels: Mapping[str, str],
                benchmark_labels: Mapping[str, str], order: Sequence[str]) -> tuple[list[str], list[list], list[str]]:
    """(header, rows, notes) of the question-by-question table: one row per (variant, benchmark, shots)
    whose reference was scored on the same benchmark and shots; notes say which pairs could not be compared."""
    by_key = {(r["variant"], r["benchmark"], r["shots"]): r for r in records}
    header = ["variant", "against", "benchmark", "shots", "questions", "answers changed", "answers changed %",
              "right -> wrong", "wrong -> right", "accuracy change (points)", "McNemar p"]
    rows, notes = [], []
    rank = {name: i for i, name in enumerate(order)}
    keys = sorted(by_key, key=lambda key: (rank.get(key[0], len(rank)), key[0], key[1], key[2]))
    for variant, benchmark, shots in keys:
        reference = references.get(variant)
        if reference is None or (reference, benchmark, shots) not in by_key:
            continue
        change = compare_records(by_key[(reference, benchmark, shots)], by_key[(variant, benchmark, shots)])
        names = [labels.get(variant, variant), labels.get(reference, reference), benchmark_labels.get(benchmark, benchmark), shots]
        if isinstance(change, str):
            notes.append(f"{names[0]} against {names[1]}, {names[2]} {shots}-shot: {change}")
            continue
        rows.append(names + [change.questions, change.answers_changed,
                             round(100 * change.answers_changed / change.questions, 2) if change.questions else "-",
                             change.right_to_wrong, change.wrong_to_right, round(100 * change.accuracy_change, 2),
                             rounded_p(change.p_value)])
    return header, rows, notes
