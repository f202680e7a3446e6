"""The default pipeline's mix: its corpus sizes after filtering and the schema's three 400k-token phases."""

import time

import pytest
import yaml

from xuanyuan.mix import histogram_shard, make_plan

from tests.mix.helpers import DEFAULT_PHASES, REALISTIC, run_mix, write_corpus


def schema_mix_defaults(repo):
    schema = yaml.safe_load((repo / "config" / "schema.yaml").read_text(encoding="utf-8"))
    return schema["properties"]["mix"]["properties"]


def test_helpers_use_the_schema_defaults(repo):
    mix = schema_mix_defaults(repo)
    assert DEFAULT_PHASES == mix["phases"]["default"]
    assert (mix["max_epochs"]["default"], mix["hash_buckets_log2"]["default"]) == (4, 16)


@pytest.mark.parametrize("corpus_seed", [0, 1, 2])
def test_default_phases_are_met_on_the_default_corpus(tmp_path, corpus_seed, mix_tokenizer):
    # Real tokenization of synthetic text: zh ~1.1 tokens per character, en ~3.3 characters per token.
    shards = write_corpus(tmp_path, REALISTIC, lo=300, hi=2500, seed=corpus_seed)
    plan, _ = run_mix(tmp_path, shards, DEFAULT_PHASES, max_epochs=4, seed=1 + corpus_seed, tokenizer=mix_tokenizer)
    assert plan.unit == "tokens" and plan.total_epochs().max() <= 4
    for p, phase in enumerate(DEFAULT_PHASES):
        assert abs(plan.amounts[:, p].sum() / phase["tokens"] - 1) < 0.01
        for attribute, listed in phase["shares"].items():
            realised = plan.planned_shares(p, attribute)
            for value, target in listed.items():
                assert abs(realised[value] - target) <= 0.005, (phase["name"], attribute, value, realised[value])
    # run_mix's report already checked that the written output (tokens included) equals the plan.

    started = time.perf_counter()
    make_plan(sorted((tmp_path / "hist").glob("*.npz")), phases=DEFAULT_PHASES, max_epochs=4, source_weights={},
              seed=1 + corpus_seed, bits=16)
    assert time.perf_counter() - started < 5


def test_token_histograms_of_the_default_corpus_take_seconds(tmp_path, mix_tokenizer):
    shards = write_corpus(tmp_path, REALISTIC, lo=300, hi=2500)
    histogram_shard(shards[0], tmp_path / "warm.npz", seed=1, bits=16, tokenizer=mix_tokenizer)  # imports
    started = time.perf_counter()
    for shard in shards:
        histogram_shard(shard, tmp_path / "h" / (shard.name + ".npz"), seed=1, bits=16, tokenizer=mix_tokenizer)
    assert time.perf_counter() - started < 10  # ~0.7 s for 1.7 M characters in 16 shards
