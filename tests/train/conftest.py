"""Tiny tokenizers, data and a job factory shared by the training tests (built once per session)."""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch

from xuanyuan.tokdata import tokenize_documents
from xuanyuan.tokenizer import (
    count_cjk_chars, expand_tokenizer, parse_cjk_ranges, tokenizer_metadata, train_standin, write_hf_tokenizer,
)
from xuanyuan.tokenizer.metadata import METADATA_FILE
from xuanyuan.train.job import TrainJob
from xuanyuan.train.settings import settings_dict, tiny_cpu

RANGES = parse_cjk_ranges([["4E00", "9FFF"]])
WORDS = ("the bank market rate interest price stock bond fund investor trade company share profit loss quarter "
         "year growth inflation policy central government economy dollar index report revenue debt credit").split()
ZH = ("中国人民银行今天宣布下调存款准备金率。", "沪深股市周二小幅上涨，银行板块表现强势。",
      "公司发布年度报告，营业收入同比增长，净利润创历史新高。", "分析人士认为，货币政策仍将保持稳健。")


def random_batch(generator, vocab: int = 320, seq: int = 16, rows: int = 2) -> dict:
    """Random next-token rows for an engine built on `build_standin(..., vocab)` (ids from 3: after the specials)."""
    ids = torch.randint(3, vocab, (rows, seq + 1), generator=generator)
    return {"input_ids": ids[:, :-1], "labels": ids[:, 1:].clone(), "position_ids": torch.arange(seq).repeat(rows, 1)}


def english(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 60))) + "." for _ in range(n)]


def chinese(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(ZH) for _ in range(rng.randint(2, 5))) for _ in range(n)]


@dataclass(frozen=True)
class Tiny:
    root: Path
    base_model: Path      # base tokenizer.model
    base_hf: Path         # HF files of the base tokenizer
    expanded: Path        # expanded tokenizer directory (HF files + metadata)
    base_vocab: int
    en_prefix: Path       # English data with the base tokenizer
    mixed_prefix: Path    # zh + en with the expanded tokenizer


@pytest.fixture(scope="session")
def tiny(tmp_path_factory) -> Tiny:
    from transformers import AutoTokenizer

    root = tmp_path_factory.mktemp("train")
    base = train_standin(english(200), root / "standin", vocab_size=400, character_coverage=1.0, max_sentences=5000)
    write_hf_tokenizer(base, root / "base_hf")
    counts = count_cjk_chars(chinese(50), RANGES)
    expansion = expand_tokenizer(base, counts, root / "expanded" / "tokenizer.model", add_chars=30, min_char_freq=2)
    write_hf_tokenizer(expansion.model_path, root / "expanded")
    meta = tokenizer_metadata(expansion, base_label="standin", cjk_ranges=RANGES, add_chars=30, min_char_freq=2,
                              pad_vocab_multiple=64)
    import json

    (root / "expanded" / METADATA_FILE).write_text(json.dumps(meta), encoding="utf-8")
    base_tok = AutoTokenizer.from_pretrained(root / "base_hf")
    records = [{"id": f"en{i}", "text": t, "lang": "en", "domain": "general", "source": "en"}
               for i, t in enumerate(english(120, seed=1))]
    tokenize_documents(records, base_tok, root / "data" / "en", batch_docs=64, eos_id=2)
    exp_tok = AutoTokenizer.from_pretrained(root / "expanded")
    mixed = records[:40] + [{"id": f"zh{i}", "text": t, "lang": "zh", "domain": "finance", "source": "zh"}
                            for i, t in enumerate(chinese(80, seed=2))]
    random.Random(3).shuffle(mixed)
    tokenize_documents(mixed, exp_tok, root / "data" / "mixed", batch_docs=64, eos_id=2)
    return Tiny(root, base, root / "base_hf", root / "expanded", meta["base_vocab_size"],
                root / "data" / "en", root / "data" / "mixed")


def make_job(tiny: Tiny, out: Path, *, stage: str = "base_standin", init_model: str | None = None,
             resize: bool = False, **train_overrides) -> TrainJob:
    """A job over the tiny data; `train_overrides` replace fields of the tiny_cpu() training settings."""
    model, train = tiny_cpu()
    train = dataclasses.replace(train, **train_overrides)
    standin = stage == "base_standin"
    return TrainJob(
        stage=stage,
        data=[("phase1", [str(tiny.en_prefix if standin else tiny.mixed_prefix)])],
        out_dir=str(out / "model"), checkpoint_dir=str(out / "ckpt"), metrics_path=str(out / "metrics.jsonl"),
        tokenizer_dir=str(tiny.base_hf if standin else tiny.expanded),
        init_model=init_model, vocab_size=tiny.base_vocab if init_model is None else None,
        resize_tokenizer=str(tiny.expanded) if resize else None,
        tensorboard_dir=str(out / "tb"), model=settings_dict(model), train=settings_dict(train),
    )


@pytest.fixture(scope="session")
def standin(tiny, tmp_path_factory):
    """The stand-in base, pretrained in-process for a few steps (fp32, ZeRO 2), and its run summary."""
    from xuanyuan.train.launch import run_in_process

    out = tmp_path_factory.mktemp("standin")
    job = make_job(tiny, out)
    return Path(job.out_dir), run_in_process(job), job


@pytest.fixture(scope="session")
def stage1_fp32(tiny, standin, tmp_path_factory):
    """Stage 1 (embeddings + LM head) from the stand-in, resized to the expanded tokenizer, fp32."""
    from xuanyuan.train.launch import run_in_process

    out = tmp_path_factory.mktemp("stage1_fp32")
    job = make_job(tiny, out, stage="stage1", init_model=str(standin[0]), resize=True, precision="fp32")
    return Path(job.out_dir), run_in_process(job), job


def with_validation(job: TrainJob, root: Path, every: int) -> TrainJob:
    """`job` scoring 4 held-out texts per set (zh, en, finance) every `every` steps, in windows of 24 tokens."""
    from xuanyuan.shards import write_records

    records = ([{"id": f"en{i}", "text": t, "lang": "en", "domain": "general"} for i, t in enumerate(english(8, 7))]
               + [{"id": f"zh{i}", "text": t, "lang": "zh", "domain": "general"} for i, t in enumerate(chinese(8, 8))]
               + [{"id": f"fi{i}", "text": t, "lang": "zh", "domain": "finance"} for i, t in enumerate(chinese(8, 9))])
    write_records(root / "quality.jsonl.zst", records)
    # heldout_fraction 1: every record is held out here (the id-hash split is the tokenizer stage's, tested there).
    job.validation = {"shards": [str(root / "quality.jsonl.zst")], "heldout_fraction": 1.0, "bos": True}
    job.train["validation"] = {"every": every, "max_docs": 4}
    job.train["perplexity"] = {**job.train["perplexity"], "window": 24, "batch_size": 3}
    return job
