"""Tokenization and loader throughput: what the .bin/.idx pipeline buys over tokenizing on the fly.

Usage: python bench/tokenization.py [--vocab V] [--seq-length L] [--batch-docs B] [--rounds R]
                                [--random-samples N]

(a) Tokenizer throughput in tokens/s per core on the same documents, all candidates pinned to
    one thread and checked to produce identical ids: the SentencePiece Python API one document
    at a time and on a list, the Hugging Face fast tokenizer called on batches, the Rust
    backend's `encode_batch_fast` that xuanyuan's writer uses, and the whole writer
    (`tokenize_documents`: encode + .bin/.idx/sidecar). Median over rounds.
(b) Loader throughput in samples/s: `PackedSamples` over the memory-mapped pair (in order and
    in the PhaseSampler's shuffled order) vs reading the same documents from a zstd JSONL shard
    and tokenizing them on the fly into the identical samples (checked sample by sample).

Documents: ../shared/data/pretrain_corpus (all files) when present, else generated text. The
tokenizer is a SentencePiece BPE with byte fallback trained on them here (Llama-style),
converted to a Hugging Face fast tokenizer by transformers.
"""

from __future__ import annotations

import os
import sys

# Not named tokenize.py: in bench/ that would shadow the standard library's `tokenize` (which
# inspect and numpy import) for every benchmark script run from here.
# One thread everywhere: the table reports per-core rates. Must be set before tokenizers loads.
os.environ["TOKENIZERS_PARALLELISM"] = "false"
os.environ["RAYON_NUM_THREADS"] = "1"

import argparse  # noqa: E402
import atexit  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Callable, Iterator  # noqa: E402

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.tokdata.helpers import EOS_ID, train_sentencepiece_tokenizer  # noqa: E402
from xuanyuan.provenance import cpu_name  # noqa: E402
from xuanyuan.records import make_document  # noqa: E402
from xuanyuan.shards import read_records, write_records  # noqa: E402
from xuanyuan.tokdata import IndexedDataset, PackedSamples, PhaseSampler, tokenize_documents  # noqa: E402
from xuanyuan.tokdata.encoding import BatchEncoder  # noqa: E402


def load_records() -> tuple[list[dict[str, Any]], str]:
    folder = Path(os.environ.get("XUANYUAN_SHARED_DATA", REPO.parent / "shared" / "data")) / "pretrain_corpus"
    out = []
    if folder.is_dir():
        for path in sorted(folder.glob("*.jsonl")):
            with open(path, encoding="utf-8") as handle:
                for line in handle:
                    if line.strip():
                        row = json.loads(line)
                        out.append(make_document(row["id"], row["text"], source=path.stem, lang=row["lang"],
                                                 domain=row["domain"], kind="news", meta={"mix": {"phase": "p1", "copy": 0}}))
    if out:
        return out, f"pretrain_corpus, {len(out):,} documents"
    rng = random.Random(0)
    hanzi = [chr(cp) for cp in range(0x4E00, 0x4E00 + 3000)] + list("，。、；：")
    words = "the market rose as banks said profits and revenue fell in the quarter".split()
    for i in range(6000):
        text = ("".join(rng.choice(hanzi) for _ in range(rng.randint(50, 800))) if i % 2
                else " ".join(rng.choice(words) for _ in range(rng.randint(50, 500))))
        out.append(make_document(f"gen/{i}", text, source="gen", lang="zh" if i % 2 else "en", domain="general",
                                 kind="web", meta={"mix": {"phase": "p1", "copy": 0}}))
    return out, f"generated text, {len(out):,} documents"


def median_rates(candidates: list[tuple[str, Callable[[], int]]], rounds: int) -> list[tuple[str, float]]:
    """Median units/s of each candidate (fn returns the units it produced). Rounds interleave
    the candidates, so a busy spell on a shared machine hits all of them, not one."""
    rates: dict[str, list[float]] = {name: [] for name, _ in candidates}
    for _ in range(rounds):
        for name, fn in candidates:
            start = time.perf_counter()
            units = fn()
            rates[name].append(units / (time.perf_counter() - start))
    return [(name, statistics.median(values)) for name, values in rates.items()]


def batched(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def on_the_fly_samples(shard: Path, encode: BatchEncoder, seq_length: int, batch_docs: int) -> Iterator[dict[str, np.ndarray]]:
    """The samples of PackedSamples, produced by reading the shard and tokenizing as we go."""
    pending = np.zeros(0, dtype=np.int64)  # tokens not yet consumed; pending[0] is the next sample start
    doc_starts = np.zeros(0, dtype=np.int64)  # document starts, relative to pending[0]
    records = read_records(shard)
    while batch := list(itertools.islice(records, batch_docs)):
        id_lists = encode([record["text"] for record in batch])
        sizes = np.array([len(ids) + 1 for ids in id_lists], dtype=np.int64)
        fresh = np.fromiter(itertools.chain.from_iterable(itertools.chain(ids, (EOS_ID,)) for ids in id_lists),
                            dtype=np.int64, count=int(sizes.sum()))
        doc_starts = np.concatenate([doc_starts, len(pending) + np.concatenate(([0], np.cumsum(sizes)[:-1]))])
        pending = np.concatenate([pending, fresh])
        while len(pending) >= seq_length + 1:
            window = pending[: seq_length + 1]
            inside = doc_starts[(doc_starts > 0) & (doc_starts < seq_length)]
            cu_seqlens = np.concatenate(([0], inside, [seq_length])).astype(np.int32)
            yield {
                "input_ids": window[:-1].copy(),
                "labels": window[1:].copy(),
                "position_ids": np.arange(seq_length) - np.repeat(cu_seqlens[:-1], np.diff(cu_seqlens)),
                "cu_seqlens": cu_seqlens,
            }
            pending = pending[seq_length:]
            doc_starts = doc_starts[doc_starts >= seq_length] - seq_length


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vocab", type=int, default=8000)
    ap.add_argument("--seq-length", type=int, default=2048)
    ap.add_argument("--batch-docs", type=int, default=256)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--random-samples", type=int, default=20_000)
    args = ap.parse_args()

    import sentencepiece
    import tokenizers
    import transformers
    from transformers import AutoTokenizer

    records, origin = load_records()
    texts = [record["text"] for record in records]
    chars = sum(map(len, texts))
    work = Path(tempfile.mkdtemp(prefix="xuanyuan-bench-tokenize-"))
    atexit.register(shutil.rmtree, work, ignore_errors=True)
    started = time.perf_counter()
    tok_dir = train_sentencepiece_tokenizer(work / "tokenizer", texts, vocab_size=args.vocab)
    train_s = time.perf_counter() - started
    hf = AutoTokenizer.from_pretrained(tok_dir)
    sp = sentencepiece.SentencePieceProcessor(model_file=str(tok_dir / "tokenizer.model"))
    encoder = BatchEncoder(hf)
    shard = work / "docs.jsonl.zst"
    write_records(shard, records)

    # (a) tokenizers: the same ids from every candidate, or the comparison means nothing
    reference = encoder(texts)
    tokens = sum(map(len, reference))
    assert [sp.encode(t) for t in texts[:500]] == reference[:500], "SentencePiece and HF ids differ"
    assert sp.encode(texts, num_threads=1) == reference
    def hf_ids(batch: list[str]) -> list[list[int]]:
        return hf(batch, add_special_tokens=False, split_special_tokens=True)["input_ids"]

    assert [ids for b in batched(texts, args.batch_docs) for ids in hf_ids(b)] == reference

    def sp_one() -> int:
        return sum(len(sp.encode(t)) for t in texts)

    def sp_list() -> int:
        return sum(len(ids) for b in batched(texts, args.batch_docs) for ids in sp.encode(b, num_threads=1))

    def hf_call() -> int:
        return sum(len(ids) for b in batched(texts, args.batch_docs) for ids in hf_ids(b))

    def backend() -> int:
        return sum(len(ids) for b in batched(texts, args.batch_docs) for ids in encoder(b))

    def writer() -> int:
        stats = tokenize_documents(read_records(shard), hf, work / "pair", batch_docs=args.batch_docs, eos_id=EOS_ID)
        return stats["text_tokens"]

    tokenizer_rows = median_rates([
        ("SentencePiece `encode(text)`, one doc at a time", sp_one),
        (f"SentencePiece `encode(list)`, batches of {args.batch_docs}", sp_list),
        (f"HF fast `tokenizer(batch)`, batches of {args.batch_docs}", hf_call),
        (f"HF backend `encode_batch_fast` (the writer's encoder), batches of {args.batch_docs}", backend),
        ("xuanyuan `tokenize_documents` (zstd shard -> .bin/.idx/sidecar)", writer),
    ], args.rounds)

    # (b) loaders: identical samples, then the rates
    dataset = IndexedDataset(work / "pair")
    packed = PackedSamples(dataset, args.seq_length)
    sampler = PhaseSampler([("p1", dataset)], args.seq_length, seed=0)
    checked = 0
    for ours, theirs in zip(packed, on_the_fly_samples(shard, encoder, args.seq_length, args.batch_docs), strict=True):
        assert all(np.array_equal(ours[key], theirs[key]) for key in ours), f"sample {checked} differs"
        checked += 1
    order = np.random.default_rng(0).integers(0, len(sampler), size=args.random_samples)

    def fly() -> int:
        return sum(1 for _ in on_the_fly_samples(shard, encoder, args.seq_length, args.batch_docs))

    def mm_sequential() -> int:
        return sum(1 for _ in packed)

    def mm_random() -> int:
        for i in order:
            sampler[int(i)]
        return len(order)

    loader_rows = median_rates([
        ("zstd JSONL + tokenize on the fly (HF backend, 1 thread), in order", fly),
        ("`PackedSamples` over the .bin/.idx pair, in order", mm_sequential),
        (f"`PhaseSampler` (shuffled) over the pair, {args.random_samples:,} random samples", mm_random),
    ], args.rounds)

    base = tokenizer_rows[0][1]
    print("### (a) Tokenization, tokens/s per core\n")
    print("| tokenizer | tokens/s per core | vs SentencePiece one doc at a time |")
    print("|---|---:|---:|")
    for name, rate in tokenizer_rows:
        print(f"| {name} | {rate:,.0f} | {rate / base:.2f}x |")
    base = loader_rows[0][1]
    print(f"\n### (b) Loader, samples/s of {args.seq_length} tokens (1 process)\n")
    print("| loader | samples/s | vs on the fly |")
    print("|---|---:|---:|")
    for name, rate in loader_rows:
        print(f"| {name} | {rate:,.0f} | {rate / base:.0f}x |")
    print(
        f"\nSetup: {origin}, {chars:,} characters -> {tokens:,} tokens ({chars / tokens:.2f} chars/token); "
        f"SentencePiece BPE, byte fallback, vocab {args.vocab:,} (trained here in {train_s:.1f} s), "
        f"converted to a HF fast tokenizer; {len(packed):,} samples of {args.seq_length} (+1) tokens, "
        f"all {checked:,} checked equal between the two loaders; median of {args.rounds} interleaved rounds; every tokenizer "
        f"pinned to 1 thread (TOKENIZERS_PARALLELISM=false, RAYON_NUM_THREADS=1, num_threads=1).\n"
        f"Machine: {os.cpu_count()} cores, {cpu_name()}; Python {platform.python_version()}, numpy {np.__version__}, "
        f"sentencepiece {sentencepiece.__version__}, tokenizers {tokenizers.__version__}, "
        f"transformers {transformers.__version__}; {date.today().isoformat()}."
    )


if __name__ == "__main__":
    main()
