import numpy as np
import pytest
from datasketch.lsh import _optimal_param

from xuanyuan.dedup.lsh import band_groups, bucket_pairs, lsh_params


@pytest.mark.parametrize("threshold,num_perm", [(0.7, 128), (0.8, 128), (0.5, 256), (0.9, 64)])
def test_lsh_params(threshold, num_perm):
    p = lsh_params(threshold, num_perm)
    assert p.bands * p.rows <= num_perm
    assert 0 < p.false_positive < 0.05 and 0 < p.false_negative < 0.05
    # Same optimum as datasketch's MinHashLSH picks for equal weights.
    assert (p.bands, p.rows) == _optimal_param(threshold, num_perm, 0.5, 0.5)


def test_lsh_params_rejects_bad_threshold():
    with pytest.raises(ValueError, match="between 0 and 1"):
        lsh_params(1.2, 128)


def test_band_groups_cover_all_bands_once():
    groups = band_groups(14, 3)
    assert [b for g in groups for b in g] == list(range(14))
    assert len(groups) == 3
    assert band_groups(2, 5) == [range(0, 1), range(1, 2)]


def test_bucket_pairs_respects_category_and_caps_big_buckets():
    keys = np.array([5, 5, 5, 9, 9], dtype=np.uint64)
    cats = np.array([0, 0, 1, 0, 0])
    idx = np.arange(5)
    assert bucket_pairs(keys, cats, idx, 64).tolist() == [[0, 1], [3, 4]]
    big = bucket_pairs(np.zeros(100, dtype=np.uint64), np.zeros(100, dtype=np.int64), np.arange(100), 10)
    assert len(big) == 99 and set(big[:, 0].tolist()) == {0}
