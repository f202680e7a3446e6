import random

import numpy as np

from xuanyuan.mix.stream import amount_before, copies_in, last_position_within, positions_around, prefix_sums


def unrolled(per_bucket, copies):
    """(position, chars before) of every bucket boundary of `copies` copies, by brute force."""
    out, chars = [(0, 0)], 0
    for k in range(copies):
        for j, amount in enumerate(per_bucket):
            chars += amount
            out.append((k * len(per_bucket) + j + 1, chars))
    return out


def test_positions_match_brute_force():
    rng = random.Random(3)
    per_bucket = np.array([rng.choice([0, 0, 5, 17, 40]) for _ in range(8)], dtype=np.uint64)
    prefix = prefix_sums(per_bucket)
    table = unrolled(per_bucket.tolist(), 4)
    for u, chars in table:
        assert amount_before(prefix, u) == chars
    total = int(prefix[-1])
    for target in [0.0, 0.4, 5.0, 37.3, total - 0.5, total, total + 3.2, 2.7 * total]:
        below, above = positions_around(prefix, target)
        assert amount_before(prefix, below) <= target <= amount_before(prefix, above)
        assert amount_before(prefix, below) == max(c for _, c in table if c <= target)
        assert amount_before(prefix, above) == min(c for _, c in table if c >= target)
    for limit in [0, 3, 62, total, 3 * total + 1]:
        assert last_position_within(prefix, limit) == max(u for u, c in table if c <= limit)


def test_copies_in_matches_brute_force():
    n_buckets = 8
    for bucket in range(n_buckets):
        for lo in range(0, 30, 3):
            for hi in range(lo, 40, 5):
                expected = [k for k in range(10) if lo <= k * n_buckets + bucket < hi]
                assert list(copies_in(bucket, lo, hi, n_buckets)) == expected


def test_empty_cell_has_no_positions():
    prefix = prefix_sums(np.zeros(4, dtype=np.uint64))
    assert positions_around(prefix, 10.0) == (0, 0) and last_position_within(prefix, 10) == 0
