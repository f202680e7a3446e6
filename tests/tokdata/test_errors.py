import pytest

from tests.tokdata.helpers import EOS_ID, write_pair
from xuanyuan.tokdata import IndexedDataset, TokDataError


@pytest.fixture
def pair(tmp_path):
    write_pair(tmp_path / "a", [[1, 2, EOS_ID], [3, 4, 5, EOS_ID]])
    return tmp_path / "a"


def test_missing_index_names_the_file(pair):
    (pair.parent / "a.idx").unlink()
    with pytest.raises(TokDataError, match=r"a\.idx: index file missing"):
        IndexedDataset(pair)


def test_missing_bin_names_the_file(pair):
    (pair.parent / "a.bin").unlink()
    with pytest.raises(TokDataError, match=r"a\.bin: token file missing"):
        IndexedDataset(pair)


def test_truncated_bin_names_the_file(pair):
    path = pair.parent / "a.bin"
    path.write_bytes(path.read_bytes()[:-2])
    with pytest.raises(TokDataError, match=r"a\.bin: truncated \(12 bytes, the index expects 14\)"):
        IndexedDataset(pair)


def test_bin_longer_than_index(pair):
    path = pair.parent / "a.bin"
    path.write_bytes(path.read_bytes() + b"\x00\x00")
    with pytest.raises(TokDataError, match=r"a\.bin: longer than its index says"):
        IndexedDataset(pair)


def test_wrong_magic_names_the_file(pair):
    path = pair.parent / "a.idx"
    path.write_bytes(b"NOTANIDX!" + path.read_bytes()[9:])
    with pytest.raises(TokDataError, match=r"a\.idx: not a Megatron-style index"):
        IndexedDataset(pair)


def test_truncated_index_names_the_file(pair):
    path = pair.parent / "a.idx"
    raw = path.read_bytes()
    path.write_bytes(raw[:-8])
    with pytest.raises(TokDataError, match=r"a\.idx: truncated index"):
        IndexedDataset(pair)
    path.write_bytes(raw[:20])
    with pytest.raises(TokDataError, match=r"a\.idx: truncated index header"):
        IndexedDataset(pair)


def test_unknown_version_and_dtype(pair):
    path = pair.parent / "a.idx"
    raw = bytearray(path.read_bytes())
    raw[17] = 99
    path.write_bytes(bytes(raw))
    with pytest.raises(TokDataError, match="unknown dtype code 99"):
        IndexedDataset(pair)
    raw[17], raw[9] = 8, 2
    path.write_bytes(bytes(raw))
    with pytest.raises(TokDataError, match="index version 2"):
        IndexedDataset(pair)


def test_sidecar_missing_or_short(pair):
    sidecar = pair.parent / "a.docs.jsonl.zst"
    from xuanyuan.shards import write_records

    write_records(sidecar, [{"id": "only-one"}])
    with pytest.raises(TokDataError, match="1 sidecar rows for 2 documents"):
        IndexedDataset(pair).sidecar(0)
    sidecar.unlink()
    with pytest.raises(TokDataError, match=r"a\.docs\.jsonl\.zst: sidecar missing"):
        IndexedDataset(pair).sidecar(0)


def test_out_of_range_document(pair):
    with pytest.raises(IndexError, match="document 2 out of range"):
        IndexedDataset(pair).doc(2)


def test_verify_catches_a_gap(tmp_path):
    import numpy as np

    write_pair(tmp_path / "a", [[1, 2, EOS_ID], [3, 4, 5, EOS_ID], [6, EOS_ID]])
    IndexedDataset(tmp_path / "a").verify()
    path = tmp_path / "a.idx"
    raw = bytearray(path.read_bytes())
    pointer_1 = 34 + 4 * 3 + 8
    raw[pointer_1 : pointer_1 + 8] = np.int64(4).tobytes()  # doc 1 claimed to start a token early
    path.write_bytes(bytes(raw))
    dataset = IndexedDataset(tmp_path / "a")  # opening checks only the header and the end
    with pytest.raises(TokDataError, match="document 1 is not contiguous"):
        dataset.verify()
