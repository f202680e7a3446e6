"""Score intervals, the test against chance, and the question-by-question comparison of two variants."""

from __future__ import annotations

import math

import pytest

from xuanyuan.evaluate.changes import change_rows, reference_variants
from xuanyuan.evaluate.significance import above_chance_p, mcnemar_exact_p, paired_change, score_interval

Z95 = 1.959963984540054


def wilson_by_formula(correct: int, n: int) -> tuple[float, float]:
    """Wilson's interval written out (Wilson 1927), as a reference independent of scipy."""
    p, z2 = correct / n, Z95 ** 2
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return centre - half, centre + half


@pytest.mark.parametrize("correct,n", [(0, 24), (9, 24), (24, 24), (6, 32), (3_510, 14_042)])
def test_score_interval_is_wilsons(correct, n):
    low, high = score_interval(correct, n)
    assert (low, high) == pytest.approx(wilson_by_formula(correct, n), abs=1e-9)
    # Never the zero-width interval of p +- 1.96 * stderr at 0 or n right.
    assert high - low > 0.1 if n < 100 else high - low > 0.01


def test_above_chance_is_the_binomial_tail():
    # P(X >= 9) for X ~ Binomial(24, 0.25), summed by hand.
    tail = sum(math.comb(24, k) * 0.25 ** k * 0.75 ** (24 - k) for k in range(9, 25))
    assert above_chance_p(9, 24, 0.25) == pytest.approx(tail)
    assert above_chance_p(6, 24, 0.25) > 0.5  # at chance: no evidence
    assert above_chance_p(3_800, 14_042, 0.25) < 1e-6
    assert score_interval(0, 0) is None and above_chance_p(0, 0, 0.25) is None


def test_mcnemar_counts_only_the_questions_whose_verdict_changed():
    # 0 lost against 6 gained: 2 * 0.5**6.
    assert mcnemar_exact_p(0, 6) == pytest.approx(2 * 0.5 ** 6)
    assert mcnemar_exact_p(3, 3) == pytest.approx(1.0) and mcnemar_exact_p(0, 0) == 1.0
    change = paired_change(("ABCDABCD", "11110000"), ("ABDDCBCA", "10111000"))
    # Answers changed at questions 3, 5 and 8; question 2 went right -> wrong, question 5 wrong -> right.
    assert (change.questions, change.answers_changed, change.right_to_wrong, change.wrong_to_right) == (8, 3, 1, 1)
    assert change.accuracy_change == 0.0 and change.p_value == pytest.approx(1.0)
    with pytest.raises(ValueError, match="different numbers of questions"):
        paired_change(("AB", "10"), ("A", "1"))


def test_each_variant_is_compared_with_the_one_it_was_made_from():
    trained = ("base", "stage1", "stage2", "sft1", "sft2")
    everything = [*trained, "bf16", "int8", "gptq4", "nf4"]
    assert reference_variants(everything, trained, ["bf16", "int8", "gptq4", "nf4"], "sft2") == {
        "stage1": "base", "stage2": "stage1", "sft1": "stage2", "sft2": "sft1",
        "bf16": "sft2", "int8": "bf16", "gptq4": "bf16", "nf4": "bf16"}
    # Without a bf16 copy the quantized ones are compared with their source; a stage not evaluated is skipped.
    assert reference_variants(["stage2", "sft2", "int8"], trained, ["int8", "gptq4"], "sft2") == {
        "sft2": "stage2", "int8": "sft2"}


def record(variant: str, sheets: dict[str, tuple[str, str]], shots: int = 0) -> dict:
    subjects = {name: {"n": len(correct), "acc": correct.count("1") / len(correct),
                       "answers": {"choices": choices, "correct": correct, "questions": f"h-{name}"}}
                for name, (choices, correct) in sheets.items()}
    return {"variant": variant, "benchmark": "cmmlu", "shots": shots, "subjects": subjects}


def test_the_comparison_pools_subjects_and_says_why_a_pair_is_left_out():
    reference = record("bf16", {"law": ("ABCD", "1100"), "art": ("AAAA", "0001")})
    quantized = record("int8", {"law": ("ABCA", "1101"), "art": ("BAAA", "1001")})
    header, rows, notes = change_rows([reference, quantized], {"int8": "bf16"}, {}, {}, ["bf16", "int8"])
    row = dict(zip(header, rows[0]))
    assert row["variant"] == "int8" and row["against"] == "bf16" and row["questions"] == 8
    assert (row["answers changed"], row["right -> wrong"], row["wrong -> right"]) == (2, 0, 2)
    assert row["accuracy change (points)"] == 25.0 and row["McNemar p"] == 0.5 and not notes

    other_questions = record("int8", {"law": ("ABCA", "1101"), "art": ("BAAA", "1001")})
    other_questions["subjects"]["art"]["answers"]["questions"] = "another set"
    old = record("int8", {"law": ("ABCA", "1101")})
    del old["subjects"]["law"]["answers"]
    for other, why in ((other_questions, "not the same questions"), (old, "no answer sheet")):
        _, rows, notes = change_rows([reference, other], {"int8": "bf16"}, {}, {}, ["bf16", "int8"])
        assert rows == [] and why in notes[0]
