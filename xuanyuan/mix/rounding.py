"""Cut each cell's stream at bucket boundaries so that every phase's shares come out closest to target.

Buckets are atomic, so a cell's cumulative target (what phases 1..p take together) falls between
two bucket boundaries: the last one below it and the first one above. Taking the nearer one for
each cell on its own is within half a bucket per cell, but the errors of the cells of one
attribute value add up. Starting from the nearer boundaries, `cut_streams` flips single cells
to their other boundary while that lowers the phase's squared error (over every constrained
group's share, and the phase's total against its budget), so the cells' errors mostly
cancel. Each cut stays one of the two boundaries around the target, and no cut passes the
`mix.max_epochs` cap.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from xuanyuan.mix.stream import amount_before, last_position_within, positions_around

Groups = Sequence[tuple[np.ndarray, np.ndarray]]  # per constraint: (cell -> group number, group targets)


def cut_streams(
    prefixes: Sequence[np.ndarray],
    target: np.ndarray,
    groups_per_phase: Sequence[Groups],
    budgets: Sequence[int],
    max_epochs: float,
) -> np.ndarray:
    """[n, P + 1] stream positions: phase p of cell i is [bounds[i, p], bounds[i, p + 1])."""
    n_cells, n_phases = target.shape
    caps = [last_position_within(prefix, math.floor(max_epochs * int(prefix[-1]))) for prefix in prefixes]
    bounds = np.zeros((n_cells, n_phases + 1), dtype=np.int64)
    # Cutting at cumulative targets keeps rounding errors from adding up over the phases.
    cumulative = np.cumsum(target, axis=1)
    for p in range(n_phases):
        start = [amount_before(prefix, int(u)) for prefix, u in zip(prefixes, bounds[:, p])]
        options = []  # per cell: (position, amount) below and above its target
        for i, prefix in enumerate(prefixes):
            below, above = positions_around(prefix, cumulative[i, p])
            # Never behind the previous cut, never past the cap.
            below, above = (min(max(u, int(bounds[i, p])), caps[i]) for u in (below, above))
            options.append([(u, amount_before(prefix, u) - start[i]) for u in (below, above)])
        low = np.array([option[0][1] for option in options], dtype=np.float64)
        high = np.array([option[1][1] for option in options], dtype=np.float64)
        wanted = target[:, p]
        choice = _balanced_choice(low, high, wanted, groups_per_phase[p], budgets[p])
        bounds[:, p + 1] = [options[i][int(up)][0] for i, up in enumerate(choice)]
    return bounds


def _balanced_choice(low: np.ndarray, high: np.ndarray, wanted: np.ndarray, groups: Groups, budget: int) -> np.ndarray:
    """Per cell, False for its lower cut and True for its upper, greedily minimising `_error`."""
    choice = (high - wanted) < (wanted - low)  # the nearer cut; ties go to the lower one
    amounts = np.where(choice, high, low)
    error = _error(amounts, groups, budget)
    movable = np.flatnonzero(low != high)
    # Each accepted flip strictly lowers the error, so the loop ends; n flips bound it in practice.
    while True:
        best, best_cell = error, None
        for i in movable:
            trial = amounts.copy()
            trial[i] = low[i] if choice[i] else high[i]
            trial_error = _error(trial, groups, budget)
            if trial_error < best:
                best, best_cell = trial_error, i
        if best_cell is None:
            return choice
        choice[best_cell] = not choice[best_cell]
        amounts[best_cell] = high[best_cell] if choice[best_cell] else low[best_cell]
        error = best


def _error(amounts: np.ndarray, groups: Groups, budget: int) -> float:
    """Squared share errors of every constrained group plus the squared relative budget error."""
    total = amounts.sum()
    if total <= 0:
        return math.inf
    error = (total / budget - 1.0) ** 2
    for index, targets in groups:
        error += float(((np.bincount(index, amounts, minlength=len(targets)) / total - targets) ** 2).sum())
    return error
