import numpy as np
import pytest

from tests.tokdata.helpers import EOS_ID, records, sample_texts, write_pair
from xuanyuan.tokdata import IndexedDataset, PackedSamples, tokenize_documents


def _reference(docs, seq_length):
    """Samples the slow, obvious way: flatten, then walk every position."""
    stream = [t for doc in docs for t in doc]
    doc_starts, at = set(), 0
    for doc in docs:
        doc_starts.add(at)
        at += len(doc)
    samples = []
    for s in range(0, len(stream) - seq_length, seq_length):
        window = stream[s : s + seq_length + 1]
        positions, cu, pos = [], [0], 0
        for t in range(seq_length):
            if t > 0 and s + t in doc_starts:
                pos = 0
                cu.append(t)
            positions.append(pos)
            pos += 1
        cu.append(seq_length)
        samples.append((window[:-1], window[1:], positions, cu))
    return samples


def _check_equal(sample, expected):
    inputs, labels, positions, cu = expected
    assert sample["input_ids"].tolist() == inputs
    assert sample["labels"].tolist() == labels
    assert sample["position_ids"].tolist() == positions
    assert sample["cu_seqlens"].tolist() == cu
    assert sample["input_ids"].dtype == sample["labels"].dtype == sample["position_ids"].dtype == np.int64
    assert sample["cu_seqlens"].dtype == np.int32


def test_hand_made_sample_across_a_document_boundary(tmp_path):
    # doc A = 10 11 12 EOS, doc B = 20 21 EOS, doc C = 30 31 32 33 34 EOS
    write_pair(tmp_path / "a", [[10, 11, 12, EOS_ID], [20, 21, EOS_ID], [30, 31, 32, 33, 34, EOS_ID]])
    packed = PackedSamples(IndexedDataset(tmp_path / "a"), seq_length=5)
    assert len(packed) == 2  # 13 tokens: (13 - 1) // 5
    first, second = packed[0], packed[1]
    assert first["input_ids"].tolist() == [10, 11, 12, EOS_ID, 20]
    assert first["labels"].tolist() == [11, 12, EOS_ID, 20, 21]
    assert first["position_ids"].tolist() == [0, 1, 2, 3, 0]
    assert first["cu_seqlens"].tolist() == [0, 4, 5]
    # starts mid-document B: positions restart at the sample start, then at C
    assert second["input_ids"].tolist() == [21, EOS_ID, 30, 31, 32]
    assert second["labels"].tolist() == [EOS_ID, 30, 31, 32, 33]
    assert second["position_ids"].tolist() == [0, 1, 0, 1, 2]
    assert second["cu_seqlens"].tolist() == [0, 2, 5]
    assert list(packed.sample_docs(0)) == [0, 1] and list(packed.sample_docs(1)) == [1, 2]


def test_document_starting_exactly_at_a_sample_edge(tmp_path):
    write_pair(tmp_path / "a", [[1, 2, 3, EOS_ID], [5, 6, 7, EOS_ID], [8, EOS_ID]])
    packed = PackedSamples(IndexedDataset(tmp_path / "a"), seq_length=4)
    assert packed[0]["cu_seqlens"].tolist() == [0, 4]
    assert packed[0]["labels"].tolist()[-1] == 5  # the label crosses into the next document
    assert packed[1]["cu_seqlens"].tolist() == [0, 4] and packed[1]["position_ids"].tolist() == [0, 1, 2, 3]


def test_documents_longer_than_a_sample(tmp_path):
    docs = [list(range(100, 123)) + [EOS_ID], [7, EOS_ID], list(range(200, 210)) + [EOS_ID]]
    write_pair(tmp_path / "a", docs)
    packed = PackedSamples(IndexedDataset(tmp_path / "a"), seq_length=8)
    expected = _reference(docs, 8)
    assert len(packed) == len(expected) == (sum(map(len, docs)) - 1) // 8
    for sample, exp in zip(packed, expected):
        _check_equal(sample, exp)


@pytest.mark.parametrize(("seq_length", "stride"), [(1, 1024), (3, 1), (16, 2), (16, 1024), (64, 3), (64, 1024)])
def test_tokenized_pair_matches_reference_in_any_order(tmp_path, sp_tokenizer, seq_length, stride):
    # small strides put many blocks of the two-level document search inside one sample
    tokenize_documents(records(sample_texts(40, seed=seq_length) + [""]), sp_tokenizer, tmp_path / "a", batch_docs=9, eos_id=EOS_ID)
    ds = IndexedDataset(tmp_path / "a")
    docs = [ds.doc(i).tolist() for i in range(len(ds))]
    expected = _reference(docs, seq_length)
    packed = PackedSamples(ds, seq_length, stride=stride)
    assert len(packed) == len(expected)
    sequential = list(packed)
    starts = np.cumsum([0] + [len(d) for d in docs])
    for i in np.random.default_rng(0).permutation(len(packed)):
        _check_equal(packed[int(i)], expected[i])
        _check_equal(sequential[i], expected[i])
        s = int(i) * seq_length
        first = int(np.searchsorted(starts, s, side="right")) - 1
        last = int(np.searchsorted(starts, s + seq_length, side="right")) - 1
        assert packed.sample_docs(int(i)) == range(first, last + 1)


@pytest.mark.parametrize("stride", [1, 2, 1024])
def test_zero_length_documents_of_foreign_files(tmp_path, stride):
    # Megatron files may hold empty sequences; ours never do (every document has its EOS)
    docs = [[1, 2, EOS_ID], [], [3, EOS_ID], [], [], [4, 5, 6, EOS_ID], []]
    write_pair(tmp_path / "a", docs)
    packed = PackedSamples(IndexedDataset(tmp_path / "a"), 4, stride=stride)
    expected = _reference([d for d in docs if d], 4)
    assert len(packed) == len(expected)
    for sample, exp in zip(packed, expected):
        _check_equal(sample, exp)


def test_cu_seqlens_mark_every_eos_inside(tmp_path, sp_tokenizer):
    tokenize_documents(records(sample_texts(30, seed=2)), sp_tokenizer, tmp_path / "a", batch_docs=8, eos_id=EOS_ID)
    packed = PackedSamples(IndexedDataset(tmp_path / "a"), 32)
    for sample in packed:
        eos_positions = np.flatnonzero(sample["input_ids"][:-1] == EOS_ID) + 1
        assert sample["cu_seqlens"][1:-1].tolist() == eos_positions.tolist()
        assert (sample["position_ids"][eos_positions] == 0).all()


def test_labels_do_not_alias_inputs(tmp_path):
    write_pair(tmp_path / "a", [[5, 6, 7, 8, EOS_ID]])
    sample = PackedSamples(IndexedDataset(tmp_path / "a"), 3)[0]
    sample["labels"][:] = -100
    assert sample["input_ids"].tolist() == [5, 6, 7]


def test_too_short_and_empty_pairs_have_no_samples(tmp_path):
    write_pair(tmp_path / "short", [[1, 2, EOS_ID]])
    write_pair(tmp_path / "empty", [])
    assert len(PackedSamples(IndexedDataset(tmp_path / "short"), 3)) == 0
    assert len(PackedSamples(IndexedDataset(tmp_path / "short"), 2)) == 1
    empty = IndexedDataset(tmp_path / "empty")
    assert len(empty) == 0 and empty.num_tokens == 0 and len(PackedSamples(empty, 4)) == 0
    with pytest.raises(IndexError):
        PackedSamples(empty, 4)[0]
