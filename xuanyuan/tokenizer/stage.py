"""The tokenizer stage over corpus shards: base (given or stand-in) -> expansion -> HF directory -> report.

Documents are split by id (`heldout.is_heldout`): the stand-in is trained on the fitting part's
English documents and the characters are counted on its Chinese documents; the held-out part
only feeds the compression report. Each step streams the shards; nothing holds the corpus.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

from xuanyuan.shards import read_json, read_records, write_json
from xuanyuan.tables import write_csv, write_text
from xuanyuan.tokenizer.cjk import CodePointRange, cjk_pattern, count_cjk_chars, parse_cjk_ranges
from xuanyuan.tokenizer.compression import CompressionCounts, compression_table
from xuanyuan.tokenizer.expand import expand_tokenizer
from xuanyuan.tokenizer.heldout import is_heldout
from xuanyuan.tokenizer.hf import write_hf_tokenizer
from xuanyuan.tokenizer.metadata import METADATA_FILE, tokenizer_metadata
from xuanyuan.tokenizer.spmodel import load_model_proto, processor
from xuanyuan.tokenizer.standin import train_standin

PathLike = str | os.PathLike[str]


@dataclass(frozen=True)
class TokenizerSettings:
    """The `tokenizer` section of the validated config."""

    base_model: str | None
    standin_vocab_size: int
    standin_character_coverage: float
    standin_max_sentences: int
    cjk_ranges: tuple[CodePointRange, ...]
    add_chars: int
    min_char_freq: int
    pad_vocab_multiple: int
    heldout_fraction: float

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> "TokenizerSettings":
        """From `config["tokenizer"]` after schema validation (which fills the defaults)."""
        standin = _key(section, "standin", "tokenizer")
        return cls(
            base_model=_key(section, "base_model", "tokenizer"),
            standin_vocab_size=_key(standin, "vocab_size", "tokenizer.standin"),
            standin_character_coverage=_key(standin, "character_coverage", "tokenizer.standin"),
            standin_max_sentences=_key(standin, "max_sentences", "tokenizer.standin"),
            cjk_ranges=parse_cjk_ranges(_key(section, "cjk_ranges", "tokenizer")),
            add_chars=_key(section, "add_chars", "tokenizer"),
            min_char_freq=_key(section, "min_char_freq", "tokenizer"),
            pad_vocab_multiple=_key(section, "pad_vocab_multiple", "tokenizer"),
            heldout_fraction=_key(section, "heldout_fraction", "tokenizer"),
        )


def _key(section: Mapping[str, Any], key: str, where: str) -> Any:
    try:
        return section[key]
    except KeyError:
        raise ValueError(
            f"config key {where}.{key} is missing; validate the config against config/schema.yaml first "
            "(validation fills the defaults)"
        ) from None


def _documents(shard_paths: Sequence[PathLike]) -> Iterator[tuple[str, str, str, str]]:
    """(id, text, lang, domain) of every record, with errors that name the shard and record."""
    for path in shard_paths:
        for number, record in enumerate(read_records(path), start=1):
            try:
                yield record["id"], record["text"], record["lang"], record.get("domain", "")
            except KeyError as exc:
                raise ValueError(
                    f"{path}: record {number} (id {record.get('id', '?')!r}) has no {exc.args[0]!r}; the tokenizer "
                    "stage reads documents {id, text, lang, domain}: rerun the stage that wrote this shard"
                ) from None


def _texts(shard_paths: Sequence[PathLike], *, lang: str, heldout: bool, fraction: float) -> Iterator[str]:
    for doc_id, text, doc_lang, _domain in _documents(shard_paths):
        if doc_lang == lang and is_heldout(doc_id, fraction) == heldout:
            yield text


def build_tokenizer(
    shard_paths: Sequence[PathLike],
    out_dir: PathLike,
    *,
    settings: TokenizerSettings,
    standin_dir: PathLike,
    model_max_length: int | None = None,
) -> dict[str, Any]:
    """Write the expanded tokenizer directory `out_dir` and return its metadata.

    `standin_dir` receives the stand-in's `tokenizer.model` when `settings.base_model` is null;
    keep it: the report compares against it.
    """
    fraction = settings.heldout_fraction
    if settings.base_model:
        base_path = Path(settings.base_model)
        load_model_proto(base_path)  # fail before reading the corpus
        label, standin = "base_model", None
    else:
        english = _texts(shard_paths, lang="en", heldout=False, fraction=fraction)
        base_path = train_standin(
            english,
            standin_dir,
            vocab_size=settings.standin_vocab_size,
            character_coverage=settings.standin_character_coverage,
            max_sentences=settings.standin_max_sentences,
        )
        label = "standin"
        standin = {
            "vocab_size": settings.standin_vocab_size,
            "character_coverage": settings.standin_character_coverage,
            "max_sentences": settings.standin_max_sentences,
        }
    counts = count_cjk_chars(_texts(shard_paths, lang="zh", heldout=False, fraction=fraction), settings.cjk_ranges)
    out_dir = Path(out_dir)
    expansion = expand_tokenizer(
        base_path,
        counts,
        out_dir / "tokenizer.model",
        add_chars=settings.add_chars,
        min_char_freq=settings.min_char_freq,
    )
    write_hf_tokenizer(expansion.model_path, out_dir, model_max_length=model_max_length)
    metadata = tokenizer_metadata(
        expansion,
        base_label=label,
        cjk_ranges=settings.cjk_ranges,
        add_chars=settings.add_chars,
        min_char_freq=settings.min_char_freq,
        pad_vocab_multiple=settings.pad_vocab_multiple,
        standin=standin,
    )
    write_json(out_dir / METADATA_FILE, metadata)
    return metadata


def compression_rows(
    shard_paths: Sequence[PathLike],
    tokenizer_dir: PathLike,
    *,
    settings: TokenizerSettings,
    max_docs_per_set: int | None = None,
) -> list[dict[str, Any]]:
    """Before/after compression of the held-out documents, one row per `lang/domain` set.

    `max_docs_per_set` caps the documents encoded per set (the first ones in shard order), for
    corpora whose held-out part is too large to encode in one job; None = all.
    """
    metadata = read_json(Path(tokenizer_dir) / METADATA_FILE)
    before = processor(metadata["base"]["path"]).encode
    after = processor(Path(tokenizer_dir) / "tokenizer.model").encode
    pattern = cjk_pattern(settings.cjk_ranges)
    sums: dict[str, dict[str, CompressionCounts]] = defaultdict(
        lambda: {"before": CompressionCounts(), "after": CompressionCounts()}
    )
    for doc_id, text, lang, domain in _documents(shard_paths):
        if is_heldout(doc_id, settings.heldout_fraction):
            group = sums[f"{lang}/{domain}" if domain else lang]
            if max_docs_per_set is not None and group["before"].docs >= max_docs_per_set:
                continue
            group["before"].add(before, text, pattern)
            group["after"].add(after, text, pattern)
    return [
        {"set": name, "before": group["before"].stats(), "after": group["after"].stats()}
        for name, group in sorted(sums.items())
    ]


def write_report(
    md_path: PathLike,
    rows: Sequence[Mapping[str, Any]],
    metadata: Mapping[str, Any],
    *,
    config_hash: str,
    code_version: str,
    csv_path: PathLike | None = None,
) -> None:
    """results/tokenizer.md (and optionally a CSV twin whose rows carry the config hash and code version)."""
    base = metadata["base"]
    lines = [
        "# Tokenizer: Chinese character expansion",
        "",
        f"config `{config_hash}` · code `{code_version}`",
        "",
        f"Base: {base['label']} ({metadata['base_vocab_size']:,} pieces) + {metadata['added_chars_count']:,} Chinese "
        f"characters = {metadata['vocab_size']:,} pieces; embedding rows padded to {metadata['padded_vocab_size']:,} "
        f"(multiple of {metadata['pad_vocab_multiple']}). Held-out documents only, grouped by lang/domain. "
        "tokens/Chinese char counts the tokens of each text's Chinese characters alone (docs/tokenizer.md).",
        "",
        compression_table(rows),
    ]
    write_text(md_path, "\n".join(lines))
    if csv_path is not None:
        header = ["set", "tokenizer", "docs", "chars", "tokens", "zh_chars", "zh_tokens",
                  "chars_per_token", "tokens_per_zh_char", "config_hash", "code_version"]
        table = []
        for row in rows:
            for which in ("before", "after"):
                stats = row[which]
                table.append([row["set"], which] + [stats[key] for key in header[2:9]] + [config_hash, code_version])
        write_csv(csv_path, header, table)
