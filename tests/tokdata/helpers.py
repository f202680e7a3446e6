"""Tiny tokenizers and documents for the tokdata tests (also used by bench/tokenization.py)."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from xuanyuan.records import make_document
from xuanyuan.tokdata.builder import PairBuilder
from xuanyuan.tokdata.layout import bin_path, idx_path, write_index

UNK_ID, BOS_ID, EOS_ID = 0, 1, 2

ZH = "中国人民银行今日宣布下调存款准备金率个百分点释放长期资金约亿元市场流动性保持合理充裕股票债券基金"
EN = "the bank said on monday that profits rose percent in the first quarter while revenue fell shares".split()


def sample_texts(count: int, seed: int = 0) -> list[str]:
    """Mixed Chinese/English texts with digits, punctuation, newlines and rare characters."""
    rng = random.Random(seed)
    texts = []
    for i in range(count):
        if i % 2:
            words = [rng.choice(EN) for _ in range(rng.randint(5, 60))]
            text = " ".join(words).capitalize() + f". Q{rng.randint(1, 4)} {rng.randint(0, 9999)}.\n"
        else:
            text = "".join(rng.choice(ZH) for _ in range(rng.randint(5, 120))) + f"，{rng.randint(0, 999)}%。\n"
        texts.append(text)
    return texts


def train_sentencepiece_tokenizer(out_dir: Path, texts: Iterable[str], vocab_size: int = 600) -> Path:
    """A Llama-style tokenizer directory: SentencePiece BPE with byte fallback, converted to a
    Hugging Face fast tokenizer (tokenizer.json) by transformers; lossless on any UTF-8 text."""
    import sentencepiece as spm
    from transformers import AutoTokenizer

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(list(texts)),
        model_writer=model,
        vocab_size=vocab_size,
        model_type="bpe",
        byte_fallback=True,
        character_coverage=1.0,
        unk_id=UNK_ID,
        bos_id=BOS_ID,
        eos_id=EOS_ID,
        pad_id=-1,
        normalization_rule_name="identity",
        add_dummy_prefix=False,
        remove_extra_whitespaces=False,
        split_digits=True,
        allow_whitespace_only_pieces=True,
        num_threads=1,
        minloglevel=2,
    )
    raw = Path(out_dir) / "sp"
    raw.mkdir(parents=True, exist_ok=True)
    (raw / "tokenizer.model").write_bytes(model.getvalue())
    (raw / "tokenizer_config.json").write_text(
        json.dumps(
            {
                "tokenizer_class": "LlamaTokenizer",
                "add_bos_token": False,
                "add_eos_token": False,
                "bos_token": "<s>",
                "eos_token": "</s>",
                "unk_token": "<unk>",
                "legacy": False,
                "add_prefix_space": False,
            }
        )
    )
    hf = Path(out_dir) / "hf"
    AutoTokenizer.from_pretrained(raw).save_pretrained(hf)
    (hf / "tokenizer.model").write_bytes(model.getvalue())  # for the SentencePiece side of the benchmark
    return hf


def big_vocab_tokenizer(out_dir: Path, vocab_size: int = 70_000) -> tuple[Path, list[str]]:
    """A word-level fast tokenizer with `vocab_size` ids; returns it and words whose ids are >= 65,536."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {"<unk>": UNK_ID, "<s>": BOS_ID, "</s>": EOS_ID}
    vocab.update({f"w{i}": i for i in range(3, vocab_size)})
    backend = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="<unk>", bos_token="<s>", eos_token="</s>")
    tokenizer.save_pretrained(out_dir)
    return Path(out_dir), [f"w{i}" for i in range(vocab_size - 5, vocab_size)]


def records(texts: Sequence[str], *, phase: str | None = "p1", source: str = "src") -> list[dict[str, Any]]:
    out = []
    for i, text in enumerate(texts):
        meta = {"mix": {"phase": phase, "copy": i % 2}} if phase else {}
        lang = "en" if text.isascii() else "zh"
        domain = "finance" if i % 3 == 0 else "general"
        out.append(make_document(f"{source}/{i}", text, source=source, lang=lang, domain=domain, kind="web", meta=meta))
    return out


def write_pair(prefix: Path, docs: Sequence[Sequence[int]], dtype=np.uint16) -> None:
    """A pair with exactly these documents (each already ending in its EOS), no tokenizer involved."""
    with PairBuilder(prefix, np.dtype(dtype)) as builder:
        sizes = np.array([len(doc) for doc in docs], dtype=np.int64)
        flat = np.concatenate([np.asarray(doc, dtype=np.int64) for doc in docs]) if docs else np.zeros(0, np.int64)
        rows = [{"id": f"d{i}", "source": "s", "lang": "en", "domain": "general", "phase": "p", "copy": 0} for i in range(len(docs))]
        builder.add_batch(flat, sizes, rows)


def write_raw_pair(prefix: Path, doc_length: int, total_tokens: int, vocab: int = 32_000, seed: int = 0) -> int:
    """A big uint16 pair written straight with numpy (no tokenizer, no sidecar), in chunks;
    documents of `doc_length` tokens; returns the document count."""
    rng = np.random.default_rng(seed)
    docs = total_tokens // doc_length
    chunk_docs = max(1, (1 << 22) // doc_length)
    with open(bin_path(prefix), "wb") as handle:
        for start in range(0, docs, chunk_docs):
            count = min(chunk_docs, docs - start)
            block = rng.integers(3, vocab, size=(count, doc_length), dtype=np.uint16)
            block[:, -1] = EOS_ID
            handle.write(block.tobytes())
    with open(idx_path(prefix), "wb") as handle:
        write_index(handle, np.dtype(np.uint16), docs, lambda: iter([np.full(docs, doc_length, dtype=np.int32)]))
    return docs
