"""MinHash signature throughput: xuanyuan's vectorised signatures vs datasketch's own loops.

Usage: python bench/minhash.py [--docs N] [--chars C] [--num-perm P] [--ngram N] [--rounds R]

Documents: the Chinese texts of ../shared/data/pretrain_corpus concatenated and cut into
C-character pieces (generated text when that folder is absent). Every candidate starts
from the raw text and ends with a 128-value signature, so all pay for normalisation and
shingling; datasketch gets its default hash function (sha1_hash32), as a user would run it.
One process, one core; candidates interleaved per round, docs/s is the median over rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from xuanyuan.dedup.shingles import normalise, shingles  # noqa: E402
from xuanyuan.provenance import cpu_name  # noqa: E402
from xuanyuan.dedup.signatures import ShingleConfig, document_signature, permutations  # noqa: E402


def load_texts(count: int, chars: int) -> tuple[list[str], str]:
    folder = Path(os.environ.get("XUANYUAN_SHARED_DATA", REPO.parent / "shared" / "data")) / "pretrain_corpus"
    parts = []
    if folder.is_dir():
        for path in sorted(folder.glob("zh_*.jsonl")):
            with open(path, encoding="utf-8") as handle:
                parts.extend(json.loads(line)["text"] for line in handle if line.strip())
    if parts:
        origin = "pretrain_corpus zh texts"
    else:
        rng = random.Random(0)
        alphabet = [chr(cp) for cp in range(0x4E00, 0x4E00 + 3000)] + list("，。、；：")
        parts = ["".join(rng.choice(alphabet) for _ in range(5000)) for _ in range(50)]
        origin = "generated CJK text"
    big = "".join(parts)
    while len(big) < count * chars:
        big += big
    return [big[i * chars : (i + 1) * chars] for i in range(count)], origin


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=400)
    ap.add_argument("--chars", type=int, default=2000)
    ap.add_argument("--num-perm", type=int, default=128)
    ap.add_argument("--ngram", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    from datasketch import MinHash

    texts, origin = load_texts(args.docs, args.chars)
    cfg = ShingleConfig(args.num_perm, 1, args.ngram, args.ngram)
    perms = permutations(args.num_perm, 1)
    template = MinHash(num_perm=args.num_perm, seed=1)

    def ds_shingles(text: str) -> list[bytes]:
        return [s.encode("utf-8") for s in shingles(normalise(text, "zh"), "zh", args.ngram)]

    def plain(text: str) -> None:
        m = MinHash(num_perm=args.num_perm, seed=1, permutations=template.permutations, scheme=template.scheme)
        for s in ds_shingles(text):
            m.update(s)

    def batch(text: str) -> None:
        m = MinHash(num_perm=args.num_perm, seed=1, permutations=template.permutations, scheme=template.scheme)
        m.update_batch(ds_shingles(text))

    def ours(text: str) -> None:
        document_signature(text, "zh", cfg, perms)

    candidates = {
        "datasketch `update()` per shingle": (plain, max(20, args.docs // 10)),
        "datasketch `update_batch()`": (batch, args.docs),
        "xuanyuan `document_signature` (numpy)": (ours, args.docs),
    }
    rates: dict[str, list[float]] = {name: [] for name in candidates}
    for fn, _ in candidates.values():  # warm-up: imports, regex compilation, allocator
        fn(texts[0])
    for _ in range(args.rounds):
        for name, (fn, n) in candidates.items():
            start = time.perf_counter()
            for text in texts[:n]:
                fn(text)
            rates[name].append(n / (time.perf_counter() - start))
    base = statistics.median(rates["datasketch `update()` per shingle"])
    print(f"{args.docs} documents of {args.chars} characters ({origin}), {args.num_perm} permutations, "
          f"character {args.ngram}-grams, 1 core; {cpu_name()}, "
          f"Python {platform.python_version()}, {date.today().isoformat()}\n")
    print("| signature function | docs/s per core | vs `update()` loop |")
    print("|---|---:|---:|")
    for name, values in rates.items():
        rate = statistics.median(values)
        print(f"| {name} | {rate:,.0f} | {rate / base:.1f}x |")


if __name__ == "__main__":
    main()
