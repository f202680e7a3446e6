"""SFT on the one trainer: packed answer-only rows in, the same engine, exact resume, chat on the export."""

import json
import shutil

import numpy as np
import pytest
import torch
from transformers import AutoModelForCausalLM

from tests.train.conftest import make_job
from xuanyuan.sft import Conversation, SegmentEncoder, pack_conversations, tokenize_conversations
from xuanyuan.sft.rows import SftRows, SftRowsError, write_rows
from xuanyuan.train.checkpoint import latest_tag, tag_for
from xuanyuan.train.data import collate
from xuanyuan.train.launch import run_in_process
from xuanyuan.train.loss import IGNORE_INDEX, batch_loss
from xuanyuan.train.metrics import read_metrics

SEQ, STEPS = 64, 6
TURNS = [("rate?", "the bank rate is low."), ("stock?", "the stock price rose."), ("bond?", "a bond pays interest."),
         ("debt?", "the company debt fell."), ("fund?", "the fund trades shares."), ("growth?", "growth was strong.")]


def _conversations():
    return [Conversation(system="", turns=(turn,), source="test", id=f"c{i}", lang="en") for i, turn in enumerate(TURNS * 3)]


@pytest.fixture(scope="module")
def rows_dir(tiny, tmp_path_factory):
    encoder = SegmentEncoder(str(tiny.expanded))
    tokenized, report = tokenize_conversations(_conversations(), encoder, max_length=SEQ + 1, overflow="drop")
    assert report.dropped == 0
    packed = pack_conversations(tokenized, SEQ, encoder.pad_id)
    return write_rows(packed, tmp_path_factory.mktemp("sft_rows") / "rows", [c.id for c in tokenized])


def _sft_job(tiny, standin_dir, rows_dir, out):
    job = make_job(tiny, out, stage="sft1", init_model=str(standin_dir), resize=True, checkpoint_every=3)
    job.data = []
    job.sft_rows = str(rows_dir)
    job.train["sft1"] = {**job.train["sft1"], "steps": STEPS, "seq_length": SEQ, "micro_batch": 2, "warmup_steps": 1}
    return job


def test_rows_round_trip_and_labels_only_on_answers(rows_dir):
    rows = SftRows(rows_dir, SEQ, seed=1)
    meta = json.loads((rows_dir / "rows.json").read_text())
    assert len(rows) == meta["rows"] and sum(len(m) for m in meta["members"]) == len(TURNS) * 3
    sample = rows[0]
    assert set(sample) == {"input_ids", "labels", "position_ids"} and sample["input_ids"].shape == (SEQ,)
    learned = sample["labels"] != IGNORE_INDEX
    assert 0 < learned.sum() < SEQ  # the questions, markers and padding are not learned


def test_rows_of_another_length_are_refused_with_the_fix(rows_dir, tmp_path):
    with pytest.raises(SftRowsError, match="seq_length=128.*rebuild"):
        SftRows(rows_dir, 128, seed=1)
    partial = tmp_path / "partial"
    shutil.copytree(rows_dir, partial)
    (partial / "labels.npy").unlink()
    with pytest.raises(SftRowsError, match="missing labels.npy"):
        SftRows(partial, SEQ, seed=1)


def test_training_reads_only_the_header_of_rows_json(rows_dir, tmp_path):
    """The member lists (every conversation id of the stage) are for reports, not for each training rank."""
    copy = tmp_path / "rows"
    shutil.copytree(rows_dir, copy)
    meta = (copy / "rows.json").read_text()
    (copy / "rows.json").write_text(meta[: meta.index('"members": [') + len('"members": [')] + "not parsed")
    assert len(SftRows(copy, SEQ, seed=1)) == json.loads(meta)["rows"]
    (copy / "rows.json").write_text(meta.replace('"rows": ', '"rows": 1', 1))  # 1 prepended: too many rows
    with pytest.raises(SftRowsError, match="do not match rows.json"):
        SftRows(copy, SEQ, seed=1)
    (copy / "rows.json").write_text(json.dumps({"members": [], **json.loads(meta)}))
    with pytest.raises(SftRowsError, match="not a rows.json written by sft_data"):
        SftRows(copy, SEQ, seed=1)


@pytest.mark.slow
def test_sft_trains_on_rows_exports_and_resumes_exactly(tiny, standin, rows_dir, tmp_path):
    straight = _sft_job(tiny, standin[0], rows_dir, tmp_path / "straight")
    summary = run_in_process(straight)
    assert summary["stage"] == "sft1" and summary["steps"] == STEPS

    # The export reloads and gives the engine's loss on the same (answer-only) rows.
    rows = SftRows(rows_dir, SEQ, seed=1)
    batch = collate([rows[i] for i in range(straight.eval_samples)])
    model = AutoModelForCausalLM.from_pretrained(straight.out_dir, dtype=torch.float32).eval()
    with torch.no_grad():
        assert abs(float(batch_loss(model, batch, torch.device("cpu"))) - summary["eval_loss"]) < 1e-5

    # Interrupted after the step-3 checkpoint: the rerun resumes there and repeats the same losses.
    resumed = _sft_job(tiny, standin[0], rows_dir, tmp_path / "resumed")
    run_in_process(resumed)
    shutil.rmtree(f"{resumed.checkpoint_dir}/{latest_tag(resumed.checkpoint_dir)}")
    (tmp_path / "resumed" / "ckpt" / "latest").write_text(tag_for(3))
    shutil.rmtree(resumed.out_dir)
    again = run_in_process(resumed)
    assert again["resumed_from"] == 3
    assert [r["loss"] for r in read_metrics(resumed.metrics_path)] == [r["loss"] for r in read_metrics(straight.metrics_path)]
    first = np.load(rows_dir / "input_ids.npy")
    assert first.dtype == np.int64


@pytest.mark.slow
def test_the_step_loss_is_the_token_mean_however_the_rows_are_split(tiny, standin, rows_dir, tmp_path):
    # The same 4 rows per step as one micro-batch of 4, as 2 x 2 accumulated, and as 4 x 1. The rows count
    # different numbers of answer tokens, so only a loss weighted by tokens gives all three the same
    # losses and gradients (an unweighted mean of micro-batch means would not).
    counts = [int((SftRows(rows_dir, SEQ, seed=1)[i]["labels"] != IGNORE_INDEX).sum()) for i in range(8)]
    assert len(set(counts)) > 1
    runs = {}
    for micro, accum in ((4, 1), (2, 2), (1, 4)):
        job = _sft_job(tiny, standin[0], rows_dir, tmp_path / f"m{micro}")
        job.train["sft1"] = {**job.train["sft1"], "steps": 3, "micro_batch": micro, "grad_accum": accum}
        run_in_process(job)
        runs[micro, accum] = read_metrics(job.metrics_path)
    reference = runs[4, 1]
    for split, records in runs.items():
        for got, want in zip(records, reference, strict=True):
            assert got["loss"] == pytest.approx(want["loss"], rel=1e-5), split
            assert got["grad_norm"] == pytest.approx(want["grad_norm"], rel=1e-4), split
