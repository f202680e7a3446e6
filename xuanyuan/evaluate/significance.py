"""How sure a benchmark score is: its interval, whether it beats chance, and what changed between two
models answering the same questions.

A default-run suite has 24-32 questions, where one question moves a score by 3-4 points; a full MMLU
has 14,042, where a point is about 140 questions. Both are read the same way from these numbers.
All tests are exact binomial ones (scipy), which stay right at small counts and at scores near 0 or 1,
where the normal approximation does not.
"""

from __future__ import annotations

from dataclasses import dataclass

CONFIDENCE = 0.95
SIGNIFICANCE = 0.05  # the level the tables mark; each cell is its own test (no correction for many cells)


def rounded_p(value: float) -> float:
    """A p-value to two significant digits: enough to read against 0.05."""
    return float(f"{value:.2g}")


def score_interval(correct: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float] | None:
    """Wilson score interval of the accuracy `correct / n`; None without questions.

    Wilson rather than the textbook p +- 1.96 * stderr: at 0/24 or 24/24 the latter is a zero-width
    interval, and it can reach below 0 or above 1.
    """
    if n <= 0:
        return None
    from scipy.stats import binomtest

    interval = binomtest(correct, n).proportion_ci(confidence_level=confidence, method="wilson")
    return float(interval.low), float(interval.high)


def above_chance_p(correct: int, n: int, chance: float) -> float | None:
    """One-sided exact binomial p-value of scoring at least `correct` of `n` by guessing at `chance`."""
    if n <= 0:
        return None
    from scipy.stats import binomtest

    return float(binomtest(correct, n, chance, alternative="greater").pvalue)


@dataclass(frozen=True)
class PairedChange:
    """What changed from a reference model to another on the same questions."""

    questions: int
    answers_changed: int   # a different option chosen (right or wrong either side)
    right_to_wrong: int    # the reference was right, the other model is wrong
    wrong_to_right: int
    p_value: float         # McNemar's exact test: are the two directions equally likely?

    @property
    def accuracy_change(self) -> float:
        """The other model's accuracy minus the reference's, as a fraction."""
        return (self.wrong_to_right - self.right_to_wrong) / self.questions if self.questions else 0.0


def mcnemar_exact_p(right_to_wrong: int, wrong_to_right: int) -> float:
    """Two-sided exact McNemar p-value: the discordant questions as a fair coin's tosses.

    Questions both models get right, or both wrong, say nothing about which is better; only the ones
    where they disagree on correctness count. 1.0 when there are none.
    """
    discordant = right_to_wrong + wrong_to_right
    if discordant == 0:
        return 1.0
    from scipy.stats import binomtest

    return float(binomtest(right_to_wrong, discordant, 0.5).pvalue)


def paired_change(reference: tuple[str, str], other: tuple[str, str]) -> PairedChange:
    """Compare answers question by question. Each side is (chosen options, correctness flags) as strings
    of equal length in question order: e.g. ("BADC", "1001")."""
    ref_choices, ref_correct = reference
    choices, correct = other
    if not len(ref_choices) == len(ref_correct) == len(choices) == len(correct):
        raise ValueError("the two answer sheets cover different numbers of questions")
    right_to_wrong = sum(1 for a, b in zip(ref_correct, correct) if a == "1" and b == "0")
    wrong_to_right = sum(1 for a, b in zip(ref_correct, correct) if a == "0" and b == "1")
    return PairedChange(questions=len(choices), answers_changed=sum(a != b for a, b in zip(ref_choices, choices)),
                        right_to_wrong=right_to_wrong, wrong_to_right=wrong_to_right,
                        p_value=mcnemar_exact_p(right_to_wrong, wrong_to_right))
