"""Raking (iterative proportional fitting): cell weights of one phase that meet its target shares.

A phase's ``shares`` give, per attribute (lang, domain, kind, source), the share of some of its
values, in the plan's unit (tokens or characters). The values an attribute does not list form
one *leftover group* that gets ``1 - sum(listed)``; raking scales that group as a whole, so
inside it the values keep the proportions of their size (the prior, as the other attributes'
constraints leave it).

Raking starts from the prior (cell size in the unit x source weight) and, attribute after attribute,
scales every group of cells to its target share, until all shares hold within `tolerance`.
Because each step multiplies all cells of a group by one factor, a cell's weight is its prior
times one factor per constrained attribute value: cells that agree on every constrained
attribute and have the same source weight get the same epochs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from xuanyuan.mix.cells import ATTRIBUTES, Cell
from xuanyuan.mix.errors import MixError

SUM_SLACK = 1e-9  # listed shares may exceed 1 by float noise, not more
TOLERANCE = 1e-9  # |share - target| at which raking stops: converged
ACCEPTABLE = 1e-6  # |share - target| still accepted when raking stalls (0.0001 pp; buckets round far more)
STALLED = 1e-13  # a round that changes the worst share error by less than this makes no progress
MAX_ROUNDS = 10_000  # raking rounds before giving up
REST = "(rest)"  # the group label of an attribute's unlisted values


@dataclass(frozen=True)
class Constraint:
    """One attribute's targets in one phase: listed values and the leftover group."""

    attribute: str
    listed: Mapping[str, float]
    rest: float  # share of the unlisted values together
    rest_values: tuple[str, ...]  # the unlisted values that have text

    def groups(self) -> list[tuple[str, float]]:
        """(label, target) per group; the leftover group is labelled REST."""
        out = list(self.listed.items())
        if self.rest_values:
            out.append((REST, self.rest))
        return out

    def group_of(self, value: str) -> str:
        return value if value in self.listed else REST


@dataclass(frozen=True)
class Raking:
    """Result: cell weights summing to 1, and how the fit went."""

    weights: np.ndarray
    rounds: int
    deviation: float  # largest |share - target| over all groups at the end


def constraints_for(
    phase: str, shares: Mapping[str, Mapping[str, float]] | None, cells: Sequence[Cell], prior: np.ndarray
) -> list[Constraint]:
    """Check a phase's `shares` against the cells that have text and turn them into constraints."""
    shares = shares or {}
    out = []
    for attribute, listed in shares.items():
        if attribute not in ATTRIBUTES:
            raise MixError(
                f"phase {phase!r}: shares.{attribute} is not a mix attribute; use one of {', '.join(ATTRIBUTES)}"
            )
        index = ATTRIBUTES.index(attribute)
        all_values = {cell[index] for cell in cells}
        with_text = sorted({cell[index] for cell, weight in zip(cells, prior) if weight > 0})
        listed = {str(value): float(share) for value, share in (listed or {}).items()}
        for value, share in listed.items():
            if share < 0 or share > 1:
                raise MixError(f"phase {phase!r}: shares.{attribute}.{value} is {share}; a share lies between 0 and 1")
            if share > 0 and value not in with_text:
                why = (f"the documents with {attribute} {value!r} have no text" if value in all_values
                       else f"no document has {attribute} {value!r}")
                raise MixError(
                    f"phase {phase!r}: shares.{attribute} lists {value!r} at {share:g} but {why}; "
                    f"remove it or add a source with that {attribute}"
                )
        total = sum(listed.values())
        if total > 1 + SUM_SLACK:
            parts = ", ".join(f"{value} {share:g}" for value, share in listed.items())
            raise MixError(
                f"phase {phase!r}: shares.{attribute} sum to {total:.6g} ({parts}); listed shares may sum to "
                "at most 1, the unlisted values share what is left"
            )
        rest_values = tuple(value for value in with_text if value not in listed)
        rest = max(0.0, 1.0 - total)
        if not rest_values and rest > SUM_SLACK:
            raise MixError(
                f"phase {phase!r}: shares.{attribute} lists every {attribute} that has documents "
                f"({', '.join(with_text)}) but they sum to {total:.6g}, so {rest:.6g} is left with nothing to take it; "
                "make them sum to 1 or leave one value out to take the rest"
            )
        out.append(Constraint(attribute, listed, rest, rest_values))
    return out


def rake(
    cells: Sequence[Cell],
    prior: np.ndarray,
    constraints: Sequence[Constraint],
    *,
    phase: str,
    tolerance: float = TOLERANCE,
    max_rounds: int = MAX_ROUNDS,
) -> Raking:
    """Fit weights to `constraints` from `prior`; a MixError says which shares cannot be met."""
    prior = np.asarray(prior, dtype=np.float64)
    if not prior.sum() > 0:
        raise MixError(f"phase {phase!r}: no document has any size; there is nothing to mix")
    weights = prior / prior.sum()
    groups = [group_index(cells, constraint) for constraint in constraints]
    if not constraints:
        return Raking(weights, 0, 0.0)
    deviation = np.inf
    rounds = 0
    for rounds in range(1, max_rounds + 1):
        for index, targets in groups:
            current = np.bincount(index, weights, minlength=len(targets))
            # A group with no weight left cannot be scaled up; the deviation check reports it.
            factors = np.divide(targets, current, out=np.ones_like(targets), where=current > 0)
            weights = weights * factors[index]
            total = weights.sum()
            if not total > 0:
                raise _incompatible(phase, weights, constraints, groups, rounds)
            weights /= total
        previous = deviation
        deviation = max(np.abs(np.bincount(index, weights, minlength=len(t)) - t).max() for index, t in groups)
        # Incompatible shares make raking cycle at a fixed deviation; no need to run out the rounds.
        if deviation <= tolerance or abs(previous - deviation) < STALLED:
            break
    if deviation > ACCEPTABLE:
        raise _incompatible(phase, weights, constraints, groups, rounds)
    return Raking(weights, rounds, float(deviation))


def group_index(cells: Sequence[Cell], constraint: Constraint) -> tuple[np.ndarray, np.ndarray]:
    """Each cell's group number under `constraint`, and the groups' targets."""
    labels = constraint.groups()
    number = {label: i for i, (label, _) in enumerate(labels)}
    column = ATTRIBUTES.index(constraint.attribute)
    # Cells without text may carry a value no group lists; their weight is 0, any group will do.
    index = np.array([number.get(constraint.group_of(cell[column]), 0) for cell in cells], dtype=np.int64)
    targets = np.array([target for _, target in labels], dtype=np.float64)
    # Listed shares may overshoot 1 by SUM_SLACK; weights sum to exactly 1, so targets must too.
    return index, targets / targets.sum() if targets.sum() > 0 else targets


def _incompatible(phase, weights, constraints, groups, rounds) -> MixError:
    """The error for shares that raking could not meet, listing the worst first."""
    total = weights.sum()
    shares = weights / total if total > 0 else weights
    off = []
    for constraint, (index, targets) in zip(constraints, groups):
        realised = np.bincount(index, shares, minlength=len(targets))
        for (label, target), got in zip(constraint.groups(), realised):
            if abs(got - target) > ACCEPTABLE:
                if label == REST:
                    name = f"unlisted values ({', '.join(constraint.rest_values)}) together come"
                else:
                    name = f"{label!r} comes"
                off.append((abs(got - target), f"shares.{constraint.attribute} {name} out at {100 * got:.2f}% "
                            f"(target {100 * target:.2f}%, off by {100 * (got - target):+.2f} pp)"))
    details = "; ".join(text for _, text in sorted(off, key=lambda item: -item[0])) or "no group reached its share"
    return MixError(
        f"phase {phase!r}: the target shares cannot all hold together with the documents available "
        f"(raking stopped after {rounds} rounds): {details}. Different attributes constrain the same "
        "documents (for example every 'en' document may have kind 'web'); check which source/lang/domain/kind "
        "combinations exist and relax one of these shares, or add documents that combine the values differently"
    )
