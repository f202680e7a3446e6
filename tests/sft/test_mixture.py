"""Stage shares from parameters, realised shares, determinism under a seed."""

from __future__ import annotations

import pytest

from xuanyuan.errors import UserError
from xuanyuan.sft import Conversation, allocate, cell_of, group_by, mix, stage2_shares

GENERAL = {c: 1 for c in ("encyclopedia", "code", "reasoning", "math", "creative_writing", "safety", "summarisation",
                          "translation")}
FINANCE = {"concepts": 2, "announcements": 1, "market_news": 1, "risk": 1, "calculation": 1}


def pools(n_per_cell: int) -> dict[str, list[Conversation]]:
    items = [Conversation(None, ((f"q{d}{c}{i}", "a"),), "gen", f"{d}-{c}-{i}", domain=d, category=c)
             for d, cats in (("general", GENERAL), ("finance", FINANCE)) for c in cats for i in range(n_per_cell)]
    return group_by(items, cell_of)


def test_stage2_shares_default_four_to_one():
    shares = stage2_shares({"general": 4, "finance": 1}, {"general": GENERAL, "finance": FINANCE})
    assert sum(v for k, v in shares.items() if k.startswith("general/")) == pytest.approx(0.8)
    assert shares["finance/concepts"] == pytest.approx(0.2 * 2 / 6)
    assert shares["general/code"] == pytest.approx(0.1)


def test_allocate_sums_exactly_and_stays_within_one():
    shares = {"a": 1 / 3, "b": 1 / 3, "c": 1 / 3}
    counts = allocate(100, shares)
    assert sum(counts.values()) == 100 and max(counts.values()) - min(counts.values()) <= 1


def test_stage2_mix_realised_shares_and_determinism():
    shares = stage2_shares({"general": 4, "finance": 1}, {"general": GENERAL, "finance": FINANCE})
    result = mix(pools(50), shares, total=200, seed=3, upsample=False)
    assert len(result.items) == 200 and len({c.id for c in result.items}) == 200
    by_domain = result.realised_shares(lambda cell: cell.split("/")[0])
    assert by_domain == {"finance": pytest.approx(0.2, abs=1 / 200), "general": pytest.approx(0.8, abs=1 / 200)}
    for row in result.rows:
        assert abs(row["realised_share"] - row["target_share"]) <= 1 / 200 + 1e-9
    again = mix(pools(50), shares, total=200, seed=3, upsample=False)
    assert [c.id for c in again.items] == [c.id for c in result.items]
    other = mix(pools(50), shares, total=200, seed=4, upsample=False)
    assert [c.id for c in other.items] != [c.id for c in result.items]


def test_total_none_takes_the_most_without_repeats_and_upsampling_counts_repeats():
    shares = {"general/code": 1, "finance/risk": 1}
    small = {"general/code": list(range(10)), "finance/risk": list(range(4))}
    assert len(mix(small, shares, total=None, seed=0, upsample=False).items) == 8
    with pytest.raises(UserError, match="finance/risk needs 10"):
        mix(small, shares, total=20, seed=0, upsample=False)
    result = mix(small, shares, total=20, seed=0, upsample=True)
    assert {row["cell"]: row["repeats"] for row in result.rows} == {"finance/risk": 6, "general/code": 0}


def test_missing_pool_and_bad_shares_are_user_errors():
    with pytest.raises(UserError, match="no data for finance/risk"):
        mix({"general/code": [1]}, {"general/code": 1, "finance/risk": 1}, total=2, seed=0, upsample=True)
    with pytest.raises(UserError, match=">= 0"):
        stage2_shares({"general": -1, "finance": 1}, {"general": GENERAL, "finance": FINANCE})
    with pytest.raises(UserError, match="no category shares"):
        stage2_shares({"general": 4, "finance": 1}, {"general": GENERAL})


def test_pools_without_a_share_are_reported_not_hidden():
    result = mix({"a": [1, 2], "b": [3]}, {"a": 1}, total=2, seed=0, upsample=False)
    assert {row["cell"]: row["taken"] for row in result.rows} == {"a": 2, "b": 0}
