"""Held-out perplexity during a stage (pretrain.validation): the numbers the trainer logs equal those
xuanyuan.train.perplexity gives the exported model, whatever the number of ranks; nothing else changes."""

import numpy as np
import pytest

from tests.train.conftest import make_job, with_validation
from xuanyuan.train.launch import run_in_process
from xuanyuan.train.metrics import read_metrics
from xuanyuan.train.perplexity import model_perplexity, rank_share, score_windows
from xuanyuan.train.validation import heldout_texts, record_keys

STEPS, EVERY = 6, 3


def _job(tiny, root, validation_every, **overrides):
    job = make_job(tiny, root, log_every=1, checkpoint_every=EVERY, **overrides)
    job.train["base_standin"] = {**job.train["base_standin"], "steps": STEPS}
    return with_validation(job, root, validation_every)


def test_rank_shares_pad_to_one_count_and_cover_every_window_once():
    windows = list(range(7))
    shares = [rank_share(windows, rank, 3) for rank in range(3)]
    assert [len(share) for share in shares] == [3, 3, 3]
    assert sorted(w for share in shares for w in share if w is not None) == windows
    assert rank_share([], 0, 2) == []


def test_a_padded_window_runs_but_is_not_scored(tiny, standin):
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(standin[0]).eval()
    windows = [(np.arange(3, 12, dtype=np.int64), np.arange(9, dtype=np.int64))]
    plain = score_windows(model, windows, bos_id=None, batch_size=2)
    assert score_windows(model, windows + [None], bos_id=None, batch_size=2) == plain
    assert score_windows(model, [None, None], bos_id=None, batch_size=2) == (0.0, 0)


@pytest.fixture(scope="module")
def validated(tiny, tmp_path_factory):
    job = _job(tiny, tmp_path_factory.mktemp("validated"), EVERY)
    return job, run_in_process(job)


def test_the_logged_held_out_perplexity_equals_the_exports_and_changes_no_loss(validated, tiny, tmp_path):
    job, _ = validated
    records = read_metrics(job.metrics_path)
    char_key, token_key = record_keys("en")
    assert [r["step"] for r in records if char_key in r] == [3, 6]
    export = model_perplexity(job.out_dir, heldout_texts(job.validation, 4), window=24, batch_size=3)
    for name in ("zh", "en", "finance"):
        char_key, token_key = record_keys(name)
        assert records[-1][char_key] == pytest.approx(export[name]["ppl_char"], rel=1e-5)
        assert records[-1][token_key] == pytest.approx(export[name]["ppl_token"], rel=1e-5)
    # The same stage without it: the same losses and gradient norms, step for step.
    plain = _job(tiny, tmp_path, 0)
    run_in_process(plain)
    curve = [(r["loss"], r["grad_norm"]) for r in read_metrics(plain.metrics_path)]
    assert curve == [(r["loss"], r["grad_norm"]) for r in records]
    assert not any(key.startswith("val_") for r in read_metrics(plain.metrics_path) for key in r)


def test_the_report_tabulates_and_plots_the_held_out_perplexity(validated, tmp_path):
    from pathlib import Path

    from xuanyuan.train.checkpoint import RECORD
    from xuanyuan.train.report import write_pretrain_report

    job, _ = validated
    write_pretrain_report([("base_standin", job.metrics_path, str(Path(job.out_dir) / RECORD))],
                          md_path=str(tmp_path / "pretrain.md"), csv_path=str(tmp_path / "pretrain.csv"),
                          png_path=str(tmp_path / "pretrain.png"), chash="c", version="v")
    text = (tmp_path / "pretrain.md").read_text()
    assert "## Held-out perplexity during the stages" in text
    rows = [line for line in text.splitlines() if line.startswith("| base_standin | ") and line.count("|") == 6]
    assert [row.split(" | ")[1] for row in rows] == [str(EVERY), str(STEPS)]
    last = read_metrics(job.metrics_path)[-1]
    assert float(rows[-1].split(" | ")[3].replace(",", "")) == pytest.approx(last["val_ppl_char_en"], abs=1e-3)
    assert (tmp_path / "pretrain.png").stat().st_size > 0


def test_held_out_texts_are_read_only_until_every_set_is_full(tmp_path):
    from xuanyuan.shards import write_records

    def shard(name, lang, domain, n):
        write_records(tmp_path / f"{name}.jsonl.zst", [{"id": f"{name}{i}", "text": f"{name} {i}", "lang": lang,
                                                        "domain": domain} for i in range(n)])
        return str(tmp_path / f"{name}.jsonl.zst")

    shards = [shard("en", "en", "general", 3), shard("zh", "zh", "general", 3), shard("fi", "zh", "finance", 3)]
    broken = tmp_path / "never_read.jsonl.zst"
    broken.write_bytes(b"not a shard")  # after every set is full: never opened
    texts = heldout_texts({"shards": [*shards, str(broken)], "heldout_fraction": 1.0, "bos": True}, max_docs=2)
    assert texts == {"zh": ["zh 0", "zh 1"], "en": ["en 0", "en 1"], "finance": ["fi 0", "fi 1"]}
