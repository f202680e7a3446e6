"""Synthetic corpora and a whole mix run (histogram -> plan -> apply -> report) for the tests."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

from xuanyuan.mix import histogram_shard, make_plan, mix_shard, write_mix_report, write_plan
from xuanyuan.records import make_document
from xuanyuan.shards import write_records

# The default pipeline's corpus after filtering: source -> (lang, domain, kind, chars).
REALISTIC = {
    "zh_encyclopedia": ("zh", "general", "knowledge", 240_000),
    "zh_news": ("zh", "general", "news", 235_000),
    "zh_finance_news": ("zh", "finance", "news", 270_000),
    "zh_finance_report": ("zh", "finance", "report", 170_000),
    "zh_announcement": ("zh", "finance", "announcement", 130_000),
    "zh_forum": ("zh", "general", "social", 85_000),
    "zh_exam": ("zh", "general", "exam", 85_000),
    "en_web": ("en", "general", "web", 515_000),
}

# config/schema.yaml's default mix.phases.
DEFAULT_PHASES = [
    {"name": f"phase{n}", "tokens": 400_000, "shares": {
        "lang": {"zh": 0.75, "en": 0.25},
        "domain": {"finance": finance, "general": general},
        "kind": {"knowledge": knowledge},
    }}
    for n, finance, general, knowledge in [(1, 0.10, 0.90, 0.30), (2, 0.15, 0.85, 0.20), (3, 0.20, 0.80, 0.10)]
]

# Synthetic text that tokenizes like the real corpus with `build_tokenizer`'s tokenizer: Chinese at
# ~1.1 tokens per character (most characters are pieces after the expansion, 5 % fall back to
# three UTF-8 byte pieces) and English at ~3.3 characters per token (Zipf-distributed words, more
# than the 600-piece stand-in can hold whole).
ZH_COMMON = [chr(0x4E00 + 37 * k) for k in range(300)]  # CJK ideographs the expansion adds
ZH_RARE = [chr(0x8000 + 41 * k) for k in range(200)]  # CJK ideographs it does not
_ZH_CHARS = ZH_COMMON + ZH_RARE
_ZH_CUMULATIVE = list(
    itertools.accumulate([0.95 / len(ZH_COMMON)] * len(ZH_COMMON) + [0.05 / len(ZH_RARE)] * len(ZH_RARE))
)
_SYLLABLES = [c + v for c in "bcdfghklmnprstvw" for v in ("a", "e", "i", "o", "u", "ai", "ou", "ea")]
_word_rng = random.Random(5)
EN_WORDS = "the bank market rate interest price stock bond fund profit loss quarter year growth".split() + [
    "".join(_word_rng.choice(_SYLLABLES) for _ in range(_word_rng.randint(1, 4))) for _ in range(3000)
]
_EN_WEIGHTS = [1 / (rank + 1) for rank in range(len(EN_WORDS))]
STANDIN_VOCAB = 600


def synthetic_text(lang: str, n: int, rng: random.Random) -> str:
    """`n` characters of Chinese-like or English-like text."""
    if lang == "zh":
        return "".join(rng.choices(_ZH_CHARS, cum_weights=_ZH_CUMULATIVE, k=n))
    return " ".join(rng.choices(EN_WORDS, _EN_WEIGHTS, k=n // 4 + 2))[:n]


def build_tokenizer(root: Path) -> Path:
    """The pipeline's kind of tokenizer, tiny: English stand-in + Chinese characters, as an HF directory."""
    from xuanyuan.tokenizer import expand_tokenizer, train_standin, write_hf_tokenizer

    rng = random.Random(0)
    english = [synthetic_text("en", 2000, rng) for _ in range(200)]
    base = train_standin(
        english, root / "standin", vocab_size=STANDIN_VOCAB, character_coverage=1.0, max_sentences=5000
    )
    counts = {char: 10 for char in ZH_COMMON}
    expansion = expand_tokenizer(
        base, counts, root / "merged" / "tokenizer.model", add_chars=len(ZH_COMMON), min_char_freq=2
    )
    return write_hf_tokenizer(expansion.model_path, root / "hf")


def source_docs(
    source: str, lang: str, domain: str, kind: str, chars: int, rng: random.Random, lo: int, hi: int
) -> list[dict]:
    """Documents of lengths drawn from [lo, hi] until about `chars` characters."""
    docs, total = [], 0
    while total < chars:
        n = rng.randint(lo, hi)
        doc_id = f"{source}-{len(docs):05d}"
        text = synthetic_text(lang, n, rng)
        docs.append(make_document(doc_id, text, source=source, lang=lang, domain=domain, kind=kind, meta={"origin": "test"}))
        total += n
    return docs


def write_corpus(root: Path, spec: dict, *, lo: int, hi: int, shards_per_source: int = 2, seed: int = 0) -> list[Path]:
    """Shards under root/in/, each source split round-robin over `shards_per_source` shards."""
    rng = random.Random(seed)
    paths = []
    for source, (lang, domain, kind, chars) in spec.items():
        docs = source_docs(source, lang, domain, kind, chars, rng, lo, hi)
        for s in range(shards_per_source):
            path = root / "in" / f"{source}.{s}.jsonl.zst"
            write_records(path, docs[s::shards_per_source])
            paths.append(path)
    return paths


def run_mix(
    root: Path, shards: list[Path], phases: list[dict], *,
    max_epochs: float = 4, seed: int = 1, bits: int = 16, source_weights: dict | None = None,
    tokenizer: Path | None = None, bos: bool = True,
):
    """Histogram, plan, apply and report as the pipeline wires them; returns (plan, outputs by phase).

    Give `tokenizer` for phases in tokens (the histogram and apply jobs then count tokens, with a
    BOS per document when `bos`, config tokenize.bos).
    """
    hist_paths = []
    for shard in shards:
        hist_paths.append(root / "hist" / (shard.name + ".npz"))
        histogram_shard(shard, hist_paths[-1], seed=seed, bits=bits, tokenizer=tokenizer, bos=bos)
    plan = make_plan(
        hist_paths, phases=phases, max_epochs=max_epochs, source_weights=source_weights or {}, seed=seed, bits=bits
    )
    write_plan(plan, root / "plan.json", root / "plan.npz")
    outputs = {phase["name"]: [] for phase in phases}
    stats = {phase["name"]: [] for phase in phases}
    for shard in shards:
        out = {name: root / "out" / name / shard.name for name in outputs}
        st = {name: root / "out" / name / (shard.name + ".stats.json") for name in outputs}
        mix_shard(plan, shard, out, st, tokenizer=tokenizer, bos=bos)
        for name in outputs:
            outputs[name].append(out[name])
            stats[name].append(st[name])
    stamp = "config `c` · code `v`"
    write_mix_report(plan, stats, root / "mix.md", root / "mix.csv", stamp=stamp, chash="c", version="v")
    return plan, outputs
