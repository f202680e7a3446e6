import numpy as np
import pytest

from tests.tokdata.helpers import EOS_ID, write_pair
from xuanyuan.tokdata import IndexedDataset, PackedSamples, PhaseSampler, StageCurriculum
from xuanyuan.tokdata.sampler import proportional_quotas

SEQ = 4


def _pair(path, first_token, docs, doc_len=7):
    """`docs` documents whose tokens encode (pair, position), so every sample is recognisable."""
    write_pair(path, [[first_token + d * doc_len + t for t in range(doc_len - 1)] + [EOS_ID] for d in range(docs)], np.int32)
    return IndexedDataset(path)


@pytest.fixture
def phases(tmp_path):
    return [
        ("knowledge", _pair(tmp_path / "k", 1_000, 10)),
        ("diverse", [_pair(tmp_path / "d1", 2_000, 6), tmp_path / "d2"]),
        ("finance", _pair(tmp_path / "f", 4_000, 3)),
    ]


@pytest.fixture(autouse=True)
def _second_diverse_pair(tmp_path):
    _pair(tmp_path / "d2", 3_000, 5)


def _key(sample):
    return tuple(sample["input_ids"].tolist())


def test_phases_follow_each_other_and_cover_every_sample_once(phases):
    sampler = PhaseSampler(phases, SEQ, seed=7)
    lengths = sampler.phase_lengths()
    assert list(lengths) == ["knowledge", "diverse", "finance"] and len(sampler) == sum(lengths.values())
    expected = {
        "knowledge": {_key(s) for s in PackedSamples(phases[0][1], SEQ)},
        "diverse": {_key(s) for s in PackedSamples(phases[1][1][0], SEQ)}
        | {_key(s) for s in PackedSamples(IndexedDataset(phases[1][1][1]), SEQ)},
        "finance": {_key(s) for s in PackedSamples(phases[2][1], SEQ)},
    }
    at = 0
    for name, count in lengths.items():
        got = [_key(sampler[i]) for i in range(at, at + count)]
        assert len(set(got)) == count and set(got) == expected[name]
        assert {sampler.locate(i)[0] for i in range(at, at + count)} == {name}
        at += count


def test_order_is_shuffled_within_a_phase_and_seeded(phases):
    a = [_key(s) for s in PhaseSampler(phases, SEQ, seed=7)]
    b = [_key(s) for s in PhaseSampler(phases, SEQ, seed=7)]
    c = [_key(s) for s in PhaseSampler(phases, SEQ, seed=8)]
    assert a == b and a != c
    knowledge = len(PackedSamples(phases[0][1], SEQ))
    assert a[:knowledge] != [_key(s) for s in PackedSamples(phases[0][1], SEQ)]


def test_a_phase_order_depends_on_its_name_not_its_position(phases):
    alone = PhaseSampler([phases[2]], SEQ, seed=3)
    together = PhaseSampler(phases, SEQ, seed=3)
    offset = len(together) - len(alone)
    assert [_key(alone[i]) for i in range(len(alone))] == [_key(together[offset + i]) for i in range(len(alone))]


@pytest.mark.parametrize("resume_at", [0, 1, 13, 24, 25])
def test_iter_from_yields_exactly_the_tail(phases, resume_at):
    full = [_key(s) for s in PhaseSampler(phases, SEQ, seed=5)]
    resumed = [_key(s) for s in PhaseSampler(phases, SEQ, seed=5).iter_from(min(resume_at, len(full)))]
    assert resumed == full[min(resume_at, len(full)):]


def test_random_access_equals_iteration(phases):
    sampler = PhaseSampler(phases, SEQ, seed=1)
    full = [_key(s) for s in sampler]
    for i in np.random.default_rng(0).permutation(len(sampler)):
        assert _key(sampler[int(i)]) == full[i]
    assert _key(sampler[-1]) == full[-1]
    with pytest.raises(IndexError):
        sampler[len(sampler)]
    with pytest.raises(IndexError):
        sampler.iter_from(len(sampler) + 1)


def test_sample_docs_point_at_the_source_documents(phases):
    sampler = PhaseSampler(phases, SEQ, seed=2)
    for i in range(len(sampler)):
        dataset, docs = sampler.sample_docs(i)
        tokens = np.concatenate([dataset.doc(d) for d in docs]).tolist()
        inputs = sampler[i]["input_ids"].tolist()
        assert any(tokens[k : k + SEQ] == inputs for k in range(len(tokens) - SEQ + 1))
        phase_of_file = {"k": "knowledge", "d1": "diverse", "d2": "diverse", "f": "finance"}
        assert sampler.locate(i)[0] == phase_of_file[dataset.prefix.rsplit("/", 1)[1]]


def test_bad_configuration_is_refused(phases):
    with pytest.raises(ValueError, match="unique"):
        PhaseSampler([phases[0], phases[0]], SEQ, seed=0)
    with pytest.raises(ValueError, match="seed"):
        PhaseSampler(phases, SEQ, seed=-1)


def test_empty_phase_is_skipped(phases, tmp_path):
    write_pair(tmp_path / "empty", [])
    sampler = PhaseSampler([phases[0], ("nothing", IndexedDataset(tmp_path / "empty")), phases[2]], SEQ, seed=0)
    assert sampler.phase_lengths()["nothing"] == 0
    assert {sampler.locate(i)[0] for i in range(len(sampler))} == {"knowledge", "finance"}


@pytest.mark.parametrize("context", ["fork", "spawn"])
def test_torch_dataloader_workers_see_the_same_samples(phases, context):
    torch = pytest.importorskip("torch")
    sampler = PhaseSampler(phases, SEQ, seed=4)
    loader = torch.utils.data.DataLoader(sampler, batch_size=None, num_workers=2, multiprocessing_context=context)
    got = [tuple(sample["input_ids"].tolist()) for sample in loader]
    assert got == [_key(s) for s in sampler]


def test_each_stage_has_its_own_shuffle_of_a_phase(phases):
    stage1 = PhaseSampler(phases, SEQ, seed=7, order_key="stage1")
    stage2 = PhaseSampler(phases, SEQ, seed=7, order_key="stage2")
    a, b = [_key(s) for s in stage1], [_key(s) for s in stage2]
    assert a != b and sorted(a) == sorted(b) and a == [_key(s) for s in PhaseSampler(phases, SEQ, 7, "stage1")]


def test_quotas_are_proportional_exact_and_skip_no_phase():
    assert proportional_quotas([10, 20, 30], 60) == [10, 20, 30]
    assert proportional_quotas([10, 20, 30], 30) == [5, 10, 15]
    assert proportional_quotas([10, 20, 30], 7) == [1, 2, 4] and sum(proportional_quotas([10, 20, 30], 7)) == 7
    assert proportional_quotas([1000, 1, 1000], 10) == [4, 1, 5]  # the small phase is not rounded away
    assert proportional_quotas([5, 0, 5], 4) == [2, 0, 2] and proportional_quotas([0, 0], 3) == [0, 0]


def test_a_stage_shorter_than_the_data_still_reads_every_phase_in_order(phases):
    sampler = PhaseSampler(phases, SEQ, seed=7, order_key="stage2")
    lengths = sampler.phase_lengths()
    short = StageCurriculum(sampler, len(sampler) // 2)
    names = [sampler.locate(sampler_index(short, sampler, i))[0] for i in range(len(short))]
    # Every phase, in curriculum order, each about half read: the last (finance) phase is not cut off.
    assert names == sorted(names, key=list(lengths).index) and set(names) == set(lengths)
    assert {n: p["read"] for n, p in short.plan().items()} == dict(zip(lengths, proportional_quotas(
        list(lengths.values()), len(short))))
    assert len({_key(short[i]) for i in range(len(short))}) == len(short)  # no sample twice


def test_a_stage_of_the_data_size_is_the_sampler_and_a_longer_one_repeats_each_phase_in_place(phases):
    sampler = PhaseSampler(phases, SEQ, seed=7)
    whole = StageCurriculum(sampler, len(sampler))
    assert [_key(whole[i]) for i in range(len(whole))] == [_key(s) for s in sampler]
    longer = StageCurriculum(sampler, 2 * len(sampler))
    plan = longer.plan()
    assert all(p["epochs"] == 2.0 for p in plan.values())
    first = plan["knowledge"]["samples"]
    # The knowledge phase twice over, then the next phase: not the whole curriculum again.
    assert [_key(longer[i]) for i in range(2 * first)] == [_key(sampler[i % first]) for i in range(2 * first)]
    assert sampler.locate(sampler_index(longer, sampler, 2 * first))[0] == "diverse"
    with pytest.raises(IndexError, match="the stage reads"):
        longer[2 * len(sampler)]


def sampler_index(stage, sampler, index):
    """The sampler's global index of the stage's sample `index` (found by content; samples are unique)."""
    want = _key(stage[index])
    return next(i for i in range(len(sampler)) if _key(sampler[i]) == want)
