"""The two SFT stages' data mixes: target shares from parameters, realised shares for the report.

Stage 1 mixes a large open, multilingual instruction set by source (or language): one level of
shares. Stage 2 mixes the in-house set in two levels: domain shares (general:finance = 4:1 by
default) times category shares inside each domain (general: encyclopedia, code, reasoning, math,
creative writing, safety, summarisation, translation; finance: its own subcategories), flattened
to cells named "domain/category". Both go through `mix`.

Counts per cell are the largest-remainder rounding of total x share, so they sum to the total
exactly and each is within one of its target. Each cell draws from its pool with its own seeded
generator (so adding a cell does not reshuffle the others), without repeats unless the pool is too
small and upsampling is allowed; the repeats are counted. Shares are weights: they are normalised,
so {general: 4, finance: 1} and {general: 0.8, finance: 0.2} are the same mix.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Generic, Iterable, Mapping, Sequence, TypeVar

from xuanyuan.errors import UserError
from xuanyuan.sft.conversation import Conversation

T = TypeVar("T")
UNLABELLED = "unlabelled"


def normalised(shares: Mapping[str, float], what: str = "shares") -> dict[str, float]:
    """Shares divided by their sum; negative or all-zero shares are a config error."""
    bad = {k: v for k, v in shares.items() if not isinstance(v, (int, float)) or v < 0}
    if bad:
        raise UserError(f"{what}: shares must be numbers >= 0; got {bad}")
    total = float(sum(shares.values()))
    if total <= 0:
        raise UserError(f"{what}: at least one share must be positive; got {dict(shares)}")
    return {key: value / total for key, value in shares.items()}


def stage2_shares(domains: Mapping[str, float], categories: Mapping[str, Mapping[str, float]]) -> dict[str, float]:
    """Flat 'domain/category' shares: the domain's share times the category's share within it."""
    domain_shares = normalised(domains, "sft stage 2 domain shares")
    missing = [d for d, share in domain_shares.items() if share > 0 and d not in categories]
    if missing:
        raise UserError(f"sft stage 2: no category shares for domain(s) {missing}; add them under categories")
    flat = {}
    for domain, share in domain_shares.items():
        if share == 0:
            continue
        for category, inner in normalised(categories[domain], f"sft stage 2 {domain} categories").items():
            flat[f"{domain}/{category}"] = share * inner
    return flat


def allocate(total: int, shares: Mapping[str, float]) -> dict[str, int]:
    """Integer counts summing to `total`, largest remainder (ties by name, for determinism)."""
    shares = normalised(shares)
    exact = {key: total * share for key, share in shares.items()}
    counts = {key: math.floor(value) for key, value in exact.items()}
    left = total - sum(counts.values())
    for key in sorted(exact, key=lambda k: (-(exact[k] - counts[k]), k))[:left]:
        counts[key] += 1
    return counts


def cell_of(conversation: Conversation) -> str:
    """The stage 2 cell of a conversation: 'domain/category'."""
    return f"{conversation.domain or UNLABELLED}/{conversation.category or UNLABELLED}"


def group_by(items: Iterable[T], key: Callable[[T], str]) -> dict[str, list[T]]:
    """Items per key, in input order."""
    pools: dict[str, list[T]] = defaultdict(list)
    for item in items:
        pools[key(item)].append(item)
    return dict(pools)


@dataclass
class MixResult(Generic[T]):
    items: list[T]
    rows: list[dict] = field(default_factory=list)  # per cell: pool, target share, taken, realised share, repeats

    def realised_shares(self, level: Callable[[str], str] = lambda cell: cell) -> dict[str, float]:
        """Realised shares per cell, or per `level(cell)` (e.g. the domain: cell.split('/')[0])."""
        total = sum(row["taken"] for row in self.rows)
        grouped: dict[str, int] = defaultdict(int)
        for row in self.rows:
            grouped[level(row["cell"])] += row["taken"]
        return {key: (n / total if total else 0.0) for key, n in sorted(grouped.items())}


def largest_total_without_repeats(pool_sizes: Mapping[str, int], shares: Mapping[str, float]) -> int:
    """The largest mix that every cell can fill from its pool without repeats."""
    shares = normalised(shares)
    limits = [pool_sizes.get(cell, 0) / share for cell, share in shares.items() if share > 0]
    total = math.floor(min(limits) + 1e-9)
    # Rounding may hand a cell one more than total*share; step down until every cell fits.
    while total > 0 and any(n > pool_sizes.get(c, 0) for c, n in allocate(total, shares).items()):
        total -= 1
    return total


def mix(pools: Mapping[str, Sequence[T]], shares: Mapping[str, float], *, total: int | None, seed: int,
        upsample: bool, what: str = "sft mix") -> MixResult[T]:
    """Draw `total` items (None: as many as fit without repeats) from the pools at `shares`; shuffled."""
    shares = normalised(shares, what)
    empty = sorted(cell for cell, share in shares.items() if share > 0 and not pools.get(cell))
    if empty:
        have = ", ".join(f"{cell} ({len(items)})" for cell, items in sorted(pools.items())) or "none"
        raise UserError(f"{what}: no data for {', '.join(empty)} (pools: {have}); give data for them or set their share to 0")
    sizes = {cell: len(items) for cell, items in pools.items()}
    if total is None:
        total = largest_total_without_repeats(sizes, shares)
    if total < 0:
        raise UserError(f"{what}: total must be >= 0, got {total}")
    counts = allocate(total, shares)
    items: list[T] = []
    rows = []
    for cell in sorted(counts):
        pool, wanted = pools.get(cell, ()), counts[cell]
        if wanted > len(pool) and not upsample:
            raise UserError(
                f"{what}: {cell} needs {wanted} items but has {len(pool)}; lower the total, "
                "allow upsampling, or add data"
            )
        items += _draw(pool, wanted, random.Random(f"{seed}:{cell}"))
        rows.append({
            "cell": cell,
            "pool": len(pool),
            "target_share": round(shares[cell], 6),
            "taken": wanted,
            "realised_share": round(wanted / total, 6) if total else 0.0,
            "repeats": max(0, wanted - len(pool)),
        })
    for cell in sorted(set(pools) - set(counts)):  # pools no share asks for: shown, not silently ignored
        rows.append({"cell": cell, "pool": len(pools[cell]), "target_share": 0.0, "taken": 0,
                     "realised_share": 0.0, "repeats": 0})
    random.Random(seed).shuffle(items)
    return MixResult(items, rows)


def _draw(pool: Sequence[T], n: int, rng: random.Random) -> list[T]:
    """n items of pool: a sample without repeats, or whole copies plus a sample when n > len(pool)."""
    whole, rest = divmod(n, len(pool)) if pool else (0, 0)
    return list(pool) * whole + rng.sample(list(pool), rest)
