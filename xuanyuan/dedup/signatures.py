"""MinHash signatures per shard: datasketch's permutations, applied to a whole document at once.

A signature is bit-identical to `datasketch.MinHash(num_perm, seed, hashfunc=shingle_hash32)`
updated with the document's shingles (default scheme "affine32": the 32-bit shingle hash is
pre-mixed with the MurmurHash3 32-bit finaliser, then permutation k maps h to
a_k * h + b_k mod 2^32, and the signature keeps the minimum per permutation). The
permutation parameters are taken from datasketch itself, so a seed means the same thing
here and there; tests/dedup/test_signatures.py checks the identity.

Per shard, `compute_signatures` writes
  <prefix>.sig.npy    uint32 [num_perm, n_docs], permutation-major so that the rows of one
                      LSH band are contiguous and a band job memory-maps only its slice;
  <prefix>.docs.json  ids, text lengths, source, kind, and for documents shorter than the
                      shingle size the exact hash of their normalised text (their signature
                      column is all 0xFFFFFFFF and never used).
Both files are byte-deterministic.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from xuanyuan.dedup.shingles import normalise, shingle_hashes, tokens
from xuanyuan.errors import UserError
from xuanyuan.shards import read_json, read_records, write_json

SCHEME = "affine32"
FORMAT_VERSION = 1
EMPTY = np.uint32(0xFFFFFFFF)
# Shingles per block when applying the permutations: bounds the temporary
# [num_perm, block] matrix of a very long document (a 110k-character article) to a few MB.
BLOCK = 8192
_FMIX32 = (16, 0x85EBCA6B, 13, 0xC2B2AE35, 16)


def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's (a, b) permutation parameters for this seed, as uint32 column vectors."""
    from datasketch import MinHash

    a, b = MinHash(num_perm=num_perm, seed=seed, scheme=SCHEME).permutations
    return a.astype(np.uint32).reshape(-1, 1), b.astype(np.uint32).reshape(-1, 1)


def fmix32(h: np.ndarray) -> np.ndarray:
    s1, m1, s2, m2, s3 = (np.uint32(v) for v in _FMIX32)
    h = h ^ (h >> s1)
    h = h * m1
    h = h ^ (h >> s2)
    h = h * m2
    return h ^ (h >> s3)


def minhash(hashes: np.ndarray, perms: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Signature (uint32 [num_perm]) of a set of 32-bit shingle hashes."""
    a, b = perms
    out = np.full(a.shape[0], EMPTY, dtype=np.uint32)
    with np.errstate(over="ignore"):
        mixed = fmix32(hashes.astype(np.uint32, copy=False))
        for start in range(0, len(mixed), BLOCK):
            block = mixed[start : start + BLOCK]
            np.minimum(out, (a * block + b).min(axis=1), out=out)
    return out


def exact_hash(normalised: str) -> str:
    return hashlib.sha1(normalised.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ShingleConfig:
    num_perm: int
    seed: int
    ngram_zh: int
    ngram_en: int

    def ngram(self, lang: str) -> int:
        return self.ngram_zh if lang == "zh" else self.ngram_en


def document_signature(
    text: str, lang: str, cfg: ShingleConfig, perms: tuple[np.ndarray, np.ndarray]
) -> tuple[np.ndarray | None, str | None]:
    """(signature, None), or (None, exact hash) when the text has fewer tokens than a shingle."""
    norm = normalise(text, lang)
    toks = tokens(norm, lang)
    n = cfg.ngram(lang)
    if len(toks) < n:
        return None, exact_hash(norm)
    return minhash(shingle_hashes(toks, n), perms), None


def signature_paths(prefix: str | os.PathLike[str]) -> tuple[Path, Path]:
    prefix = str(prefix)
    return Path(prefix + ".sig.npy"), Path(prefix + ".docs.json")


def compute_signatures(
    in_path: str | os.PathLike[str],
    out_prefix: str | os.PathLike[str],
    *,
    num_perm: int,
    seed: int,
    ngram_zh: int,
    ngram_en: int,
) -> dict[str, Any]:
    """Signatures of every document of one shard -> <out_prefix>.sig.npy + .docs.json; returns counts."""
    cfg = ShingleConfig(num_perm, seed, ngram_zh, ngram_en)
    perms = permutations(num_perm, seed)
    columns: list[np.ndarray] = []
    meta: dict[str, list] = {"ids": [], "lengths": [], "source": [], "kind": [], "exact": []}
    # Shards hold one record per line and no blank lines (write_records), so the record count is the line.
    for line_no, rec in enumerate(read_records(in_path), start=1):
        lang = rec.get("lang")
        if lang not in ("zh", "en"):
            raise UserError(
                f"{in_path}: record {rec.get('id', '(no id)')} has lang {lang!r} (line {line_no}), and dedup shingles "
                "only 'zh' and 'en'; give the record lang zh or en (for a whole source, its `lang:` under sources "
                "in the config) or leave it out of the shard"
            )
        try:
            text, doc_id = rec["text"], rec["id"]
        except KeyError as exc:  # a try costs nothing per record until one raises
            raise UserError(
                f"{in_path}: record {rec.get('id', '(no id)')} (line {line_no}) has no {exc.args[0]!r} field; every "
                "document needs 'id', 'text' and 'lang' (xuanyuan.records.make_document): fix the file, or rerun the "
                "rule that wrote it"
            ) from None
        sig, exact = document_signature(text, lang, cfg, perms)
        columns.append(sig if sig is not None else np.full(num_perm, EMPTY, dtype=np.uint32))
        meta["ids"].append(doc_id)
        meta["lengths"].append(len(text))
        meta["source"].append(rec.get("source", ""))
        meta["kind"].append(rec.get("kind", ""))
        meta["exact"].append(exact)
    matrix = np.stack(columns, axis=1) if columns else np.empty((num_perm, 0), dtype=np.uint32)
    sig_path, docs_path = signature_paths(out_prefix)
    sig_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = sig_path.with_name(sig_path.name + ".tmp.npy")
    np.save(tmp, np.ascontiguousarray(matrix, dtype=np.uint32))
    os.replace(tmp, sig_path)
    header = {
        "format": FORMAT_VERSION,
        "scheme": SCHEME,
        "num_perm": num_perm,
        "seed": seed,
        "ngram_zh": ngram_zh,
        "ngram_en": ngram_en,
        "count": len(meta["ids"]),
    }
    write_json(docs_path, {**header, **meta})
    n_exact = sum(1 for value in meta["exact"] if value is not None)
    return {"documents": len(meta["ids"]), "minhash": len(meta["ids"]) - n_exact, "exact": n_exact}


def load_docs(prefix: str | os.PathLike[str]) -> dict[str, Any]:
    """The sidecar of one shard's signatures (ids, lengths, categories, exact hashes)."""
    _, docs_path = signature_paths(prefix)
    if not docs_path.exists():
        raise FileNotFoundError(f"{docs_path}: no signature sidecar; run the signatures job for this shard first")
    return read_json(docs_path)


def load_signatures(prefix: str | os.PathLike[str]) -> np.ndarray:
    """The [num_perm, n_docs] signature matrix, memory-mapped (slicing rows reads only those rows)."""
    sig_path, _ = signature_paths(prefix)
    return np.load(sig_path, mmap_mode="r")
