"""Reading random samples must not pull the token file into the process's memory.

Both VmRSS (everything resident, mapped file pages included) and RssAnon (heap and numpy
buffers only) from /proc/self/status must grow by less than LIMIT_MB. VmRSS is the strict
one: had samples been sliced from the .bin memmap, every page touched would stay mapped and
20,000 random samples would map most of the file (measured: +190 MB for 200 MB, +2 GB for
2 GB); PackedSamples reads with pread, so only index pages are mapped.
Set XUANYUAN_BIG_TOKDATA_GB=N to also run it on an N GB file.
"""

import gc
import os
from pathlib import Path

import numpy as np
import pytest

from tests.tokdata.helpers import write_raw_pair
from xuanyuan.tokdata import IndexedDataset, PackedSamples, PhaseSampler

SAMPLES = 20_000
SEQ_LENGTH = 2048
LIMIT_MB = 50


def _status_mb() -> dict[str, float]:
    status = Path("/proc/self/status")
    if not status.exists():
        pytest.skip("needs /proc/self/status (Linux)")
    fields = {}
    for line in status.read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile"):
            fields[key] = int(value.split()[0]) / 1024
    if "RssAnon" not in fields:
        pytest.skip("kernel does not report RssAnon")
    return fields


def _read_random_samples(prefix: Path) -> tuple[dict, dict]:
    sampler = PhaseSampler([("only", IndexedDataset(prefix))], SEQ_LENGTH, seed=0)
    order = np.random.default_rng(0).integers(0, len(sampler), size=SAMPLES)
    sampler[0]  # one-time costs (permutation, first allocations) before the baseline
    gc.collect()
    before = _status_mb()
    checksum = 0
    for i in order:
        sample = sampler[int(i)]
        checksum += int(sample["input_ids"][0]) + len(sample["cu_seqlens"])
    gc.collect()
    after = _status_mb()
    assert checksum > 0
    return before, after


def _check(prefix: Path, file_mb: float) -> None:
    before, after = _read_random_samples(prefix)
    grown = {key: after[key] - before[key] for key in before}
    print(f"\n{file_mb:.0f} MB .bin, {SAMPLES} random samples of {SEQ_LENGTH}: "
          + ", ".join(f"{k} {before[k]:.0f} -> {after[k]:.0f} MB" for k in before))
    assert grown["RssAnon"] < LIMIT_MB, f"anonymous memory grew by {grown['RssAnon']:.0f} MB"
    assert grown["VmRSS"] < LIMIT_MB, f"resident memory grew by {grown['VmRSS']:.0f} MB"


def test_random_samples_from_200mb_stay_flat(tmp_path):
    tokens = 100_000_000  # uint16: 200 MB
    write_raw_pair(tmp_path / "raw", doc_length=997, total_tokens=tokens)
    dataset = IndexedDataset(tmp_path / "raw")
    assert dataset.num_tokens == tokens // 997 * 997
    assert len(PackedSamples(dataset, SEQ_LENGTH)) > SAMPLES // 2
    _check(tmp_path / "raw", (tmp_path / "raw.bin").stat().st_size / 2**20)


@pytest.mark.skipif(not os.environ.get("XUANYUAN_BIG_TOKDATA_GB"), reason="set XUANYUAN_BIG_TOKDATA_GB=N to run on an N GB file")
def test_random_samples_from_big_file_stay_flat(tmp_path):
    gigabytes = float(os.environ["XUANYUAN_BIG_TOKDATA_GB"])
    write_raw_pair(tmp_path / "big", doc_length=1531, total_tokens=int(gigabytes * 2**30 / 2))
    _check(tmp_path / "big", (tmp_path / "big.bin").stat().st_size / 2**20)
