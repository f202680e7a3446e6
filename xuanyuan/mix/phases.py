"""The configured phases, checked: names, one budget each, and one unit for all of them.

Each phase gives its budget as ``tokens:`` (what the model trains on, counted with the
tokenizer, EOS included) or ``chars:``. All phases must use the same unit: the plan cuts one
stream per cell, and its positions can only be counted in one unit.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from xuanyuan.mix.errors import MixError
from xuanyuan.mix.measure import UNITS


def checked_phases(phases: Sequence[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], str]:
    """The phases as ``{name, <unit>: budget, shares}`` dicts in config order, and their unit."""
    if not phases:
        raise MixError("mix.phases is empty; give at least one phase with a name and tokens (or chars)")
    out, seen = [], set()
    for number, phase in enumerate(phases, start=1):
        name = phase.get("name")
        if not isinstance(name, str) or not name:
            raise MixError(f"mix.phases[{number}] has no name")
        if name in seen:
            raise MixError(f"mix.phases: the name {name!r} is used twice; phase names must be unique")
        seen.add(name)
        unit = _unit_of(name, phase)
        budget = phase[unit]
        if not isinstance(budget, int) or isinstance(budget, bool) or budget < 1:
            raise MixError(f"phase {name!r}: {unit} is {budget!r}; it must be a positive integer")
        shares = {attribute: dict(listed or {}) for attribute, listed in (phase.get("shares") or {}).items()}
        out.append({"name": name, unit: budget, "shares": shares})
    units = {phase["name"]: next(unit for unit in UNITS if unit in phase) for phase in out}
    if len(set(units.values())) > 1:
        by_unit = {unit: [name for name, u in units.items() if u == unit] for unit in UNITS}
        said = " but ".join(f"{', '.join(names)} {'give' if len(names) > 1 else 'gives'} {unit}"
                            for unit, names in by_unit.items() if names)
        raise MixError(
            f"mix.phases mix units: {said}; all phases must use one unit (tokens, counted with the tokenizer, "
            "or chars)"
        )
    return out, next(iter(units.values()))


def _unit_of(name: str, phase: Mapping[str, Any]) -> str:
    given = [unit for unit in UNITS if phase.get(unit) is not None]
    if len(given) != 1:
        raise MixError(
            f"phase {name!r} gives {' and '.join(given) if given else 'neither tokens nor chars'}; "
            "give exactly one budget: tokens (or chars)"
        )
    return given[0]
