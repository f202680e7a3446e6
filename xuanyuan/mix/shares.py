"""The rows of a share table: which values of which attribute each phase reports, with their targets.

Every share table of the report (the plan's unit, characters, tokens in the binary data) lists
the same rows per phase: constrained attributes first, in config order, since they are what the
phase promises; each listed value with its target; each unlisted value of a constrained
attribute marked as part of the rest; then the leftover group's ``(rest)`` row with its target;
and unconstrained attributes without targets, for information.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from xuanyuan.mix.cells import ATTRIBUTES
from xuanyuan.mix.plan import Plan
from xuanyuan.mix.raking import REST


@dataclass(frozen=True)
class ShareRow:
    """One row: `members` are the values whose amounts make up its share."""

    phase: str
    attribute: str
    value: str  # an attribute value, or REST
    target: float | None  # None: the value has no target of its own
    in_rest: bool  # an unlisted value of a constrained attribute
    members: tuple[str, ...]

    def share(self, totals: Mapping[str, float]) -> float:
        """This row's share of `totals` (value -> amount, every value of the attribute)."""
        whole = sum(totals.values())
        return sum(totals.get(value, 0) for value in self.members) / whole if whole else 0.0


def share_layout(
    plan: Plan, p: int, values_of: Mapping[str, Iterable[str]], attributes: Sequence[str] = ATTRIBUTES
) -> list[ShareRow]:
    """The rows of phase number `p` for `attributes` (values_of: attribute -> values that occur)."""
    name = plan.phase_names[p]
    constraints = {c["attribute"]: c for c in plan.raking[p]["constraints"]}
    order = [a for a in constraints if a in attributes] + [a for a in attributes if a not in constraints]
    rows = []
    for attribute in order:
        constraint = constraints.get(attribute)
        listed = constraint["listed"] if constraint else {}
        present = sorted(set(values_of[attribute]))
        for value in list(listed) + [v for v in present if v not in listed]:
            rows.append(ShareRow(name, attribute, value, listed.get(value),
                                 constraint is not None and value not in listed, (value,)))
        if constraint and constraint["rest_values"]:
            rows.append(ShareRow(name, attribute, REST, constraint["rest"], False, tuple(constraint["rest_values"])))
    return rows


def percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.2f}%"


def label(row: ShareRow) -> str:
    """The value column: the leftover group names its members."""
    return row.value if row.value != REST else f"{REST}: {', '.join(row.members)}"


def target_text(row: ShareRow) -> str:
    return "(in rest)" if row.in_rest else percent(row.target)


def off_text(row: ShareRow, share: float) -> str:
    """Share minus target in percentage points; blank without a target."""
    return "" if row.target is None else f"{100 * (share - row.target):+.2f}"
