"""Peak memory of one SFT stage's data build (`sft_data`): the streaming build vs the old all-in-memory one
and vs what a user builds with Hugging Face `datasets`.

Usage: python bench/sft_data_memory.py [--conversations N] [--seq-length L] [--tokenizer DIR]

Data: the real instruction samples in ../shared/data/instruction_sft (Alpaca zh/en, DISC-Fin-SFT),
replicated to N conversations as JSONL files, copy k of a record with id `<source>-<k>-<i>` and
" (k)" after its question (otherwise every copy would be an exact repeat, ledgered and not trained).
Tokenizer: --tokenizer, or a Llama-style stand-in trained here (SentencePiece BPE on the English
texts + every Chinese character of the texts as a piece, as the recipe's expansion does), ~5k ids,
so ids are stored as uint16 (as with the recipe's ~39k vocabulary).

Each path runs in a fresh subprocess, so the peaks don't mix: the resident set (VmRSS) is read
after the imports and a tokenizer load, the build runs, and the peak (VmHWM) minus that baseline,
divided by the stage's tokens, is the bytes per token the build held.
- new: `xuanyuan.sft.stage_data.build_stage_rows`, the pipeline's code.
- old: the previous build re-implemented here from the library's pieces, as it was: files read
  whole (read_text + json.loads), every Conversation held, two int lists per tokenized conversation,
  a mix of (conversation, tokens) pairs, `pack_conversations` (dense int64 rows), np.save as int64.
- hf: what a user writes with Hugging Face `datasets` (as TRL's SFT data path does): `load_dataset("json")`
  over the same files (Arrow, memory-mapped, cached on disk), `map(batched=True)` with our chat
  template and answer-only labels (`to_conversation` + `tokenize_conversation`, so the tokens are
  the same) into variable-length `input_ids`/`labels` columns, `save_to_disk`. It does less than
  ours: no repeat removal, no mixing, no packing into rows (the trainer would pack or pad later).
Old and new write their rows, and the bench checks them equal (old arrays == new arrays cast to
int64, same members); the hf row's token count is printed beside theirs (it keeps repeats). One-thread
tokenizer, one `datasets` process, so the times are per core.
"""

from __future__ import annotations

import os
import sys

os.environ["TOKENIZERS_PARALLELISM"] = "false"
os.environ["RAYON_NUM_THREADS"] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from measure import status_mib  # noqa: E402

DATA = REPO.parent / "shared" / "data" / "instruction_sft"
SOURCES = {  # file -> (source, domain, lang)
    "alpaca_zh_demo.json": ("alpaca_zh", "general", "zh"),
    "alpaca_en_demo.json": ("alpaca_en", "general", "en"),
    "disc_fin_sft_sample/consulting_part.json": ("disc_consulting", "finance", "zh"),
    "disc_fin_sft_sample/task_part.json": ("disc_task", "finance", "zh"),
    "disc_fin_sft_sample/computing_part.json": ("disc_computing", "finance", "zh"),
    "disc_fin_sft_sample/retrieval_part.json": ("disc_retrieval", "finance", "zh"),
}


def write_replicated(out: Path, conversations: int) -> None:
    """JSONL files holding `conversations` records, the real ones copied with varied ids and questions."""
    records = [(name, record) for name in SOURCES for record in json.loads((DATA / name).read_text(encoding="utf-8"))]
    files = {name: open(out / f"{SOURCES[name][0]}.jsonl", "w", encoding="utf-8") for name in SOURCES}
    for n in range(conversations):
        copy, (name, record) = divmod(n, len(records))[0], records[n % len(records)]
        record = {**record, "id": f"{SOURCES[name][0]}-{copy}-{n % len(records)}",
                  "instruction": f"{record['instruction']} ({copy})"}
        files[name].write(json.dumps(record, ensure_ascii=False) + "\n")
    for handle in files.values():
        handle.close()


def train_tokenizer(out: Path) -> Path:
    """A small Llama-style tokenizer trained on the instruction texts, Chinese characters added as pieces."""
    from xuanyuan.tokenizer import count_cjk_chars, expand_tokenizer, parse_cjk_ranges, train_standin, write_hf_tokenizer

    texts = [" ".join(str(v) for v in record.values() if isinstance(v, str))
             for name in SOURCES for record in json.loads((DATA / name).read_text(encoding="utf-8"))]
    english = [" ".join(str(v) for v in record.values() if isinstance(v, str))
               for record in json.loads((DATA / "alpaca_en_demo.json").read_text(encoding="utf-8"))]
    base = train_standin(english, out / "standin", vocab_size=2000, character_coverage=1.0, max_sentences=20000)
    ranges = parse_cjk_ranges([["4E00", "9FFF"], ["3400", "4DBF"], ["F900", "FAFF"]])
    expansion = expand_tokenizer(base, count_cjk_chars(texts, ranges), out / "merged" / "tokenizer.model",
                                 add_chars=3500, min_char_freq=1)
    write_hf_tokenizer(expansion.model_path, out / "merged")
    return out / "merged"


def stage_files(data: Path):
    from xuanyuan.sft.ingest import InstructionFile

    return [InstructionFile(data / f"{source}.jsonl", source, domain=domain, lang=lang)
            for source, domain, lang in SOURCES.values()]


def settings():
    from xuanyuan.sft.settings import GeneratedSettings, SftSettings, StageData

    stage = StageData(files=None, mix_by="source", shares=None, total=None, upsample=False)  # every conversation once
    return SftSettings(stages={"sft1": stage}, generated=GeneratedSettings(), max_length=None, overflow="truncate",
                       system=None, seed=1)


def build_new(data: Path, tokenizer: Path, seq_length: int, out: Path) -> int:
    from xuanyuan.sft.stage_data import build_stage_rows

    stats = build_stage_rows(stage_files(data), "sft1", settings(), tokenizer_dir=str(tokenizer), seq_length=seq_length,
                             out_dir=str(out / "rows"), ledger_path=str(out / "ledger.jsonl"),
                             stats_path=str(out / "stats.json"))
    return stats["tokenize"]["tokens"]


def build_old(data: Path, tokenizer: Path, seq_length: int, out: Path) -> int:
    """The previous build: everything held as Python objects, then dense int64 rows."""
    import numpy as np

    from xuanyuan.sft import SegmentEncoder, mix, pack_conversations, to_conversation, tokenize_conversation
    from xuanyuan.sft.mixture import group_by

    conversations, seen = [], set()
    for spec in stage_files(data):
        text = spec.path.read_text(encoding="utf-8")
        for index, line in enumerate(text.splitlines()):
            conversation = to_conversation(json.loads(line), source=spec.source, default_id=str(index),
                                           domain=spec.domain, lang=spec.lang)
            if conversation.fingerprint() not in seen:
                seen.add(conversation.fingerprint())
                conversations.append(conversation)
        del text
    encoder = SegmentEncoder(str(tokenizer))
    fitting = []
    for conversation in conversations:
        tokenized, _ = tokenize_conversation(conversation, encoder, max_length=seq_length + 1, overflow="truncate")
        if tokenized is not None:
            fitting.append((conversation, tokenized))
    pools = group_by(fitting, lambda item: item[0].source)
    mixed = mix(pools, {k: len(v) for k, v in pools.items()}, total=None, seed=1, upsample=False)
    packed = pack_conversations([t for _, t in mixed.items], seq_length, encoder.pad_id)
    (out / "rows").mkdir(parents=True, exist_ok=True)
    for name in ("input_ids", "labels", "position_ids"):
        np.save(out / "rows" / f"{name}.npy", getattr(packed, name).astype(np.int64))
    members = [[mixed.items[i][1].id for i in row] for row in packed.members]
    (out / "rows" / "rows.json").write_text(json.dumps({"seq_length": seq_length, "rows": len(packed),
                                                        "members": members}, ensure_ascii=False) + "\n")
    return sum(len(t) for _, t in fitting)


def build_hf(data: Path, tokenizer: Path, seq_length: int, out: Path) -> int:
    """Hugging Face datasets: load the JSONL as Arrow, map to token columns with answer-only labels, save."""
    import datasets

    from xuanyuan.sft import SegmentEncoder, to_conversation, tokenize_conversation

    encoder = SegmentEncoder(str(tokenizer))
    tokens = [0]  # counted in `tokenize`: reading the column back would hold it all as Python lists
    for spec in stage_files(data):
        if spec.path.stat().st_size == 0:  # datasets' JSON reader fails on an empty file (few --conversations)
            continue
        table = datasets.load_dataset("json", data_files=str(spec.path), split="train",
                                      cache_dir=str(out / "cache"))

        def tokenize(batch, spec=spec):
            ids, labels = [], []
            for index in range(len(batch["id"])):
                record = {key: batch[key][index] for key in batch}
                conversation = to_conversation(record, source=spec.source, default_id=str(index),
                                               domain=spec.domain, lang=spec.lang)
                tokenized, _ = tokenize_conversation(conversation, encoder, max_length=seq_length + 1,
                                                     overflow="truncate")
                if tokenized is not None:
                    ids.append(tokenized.input_ids)
                    labels.append(tokenized.labels)
                    tokens[0] += len(tokenized)
            return {"input_ids": ids, "labels": labels}

        mapped = table.map(tokenize, batched=True, remove_columns=table.column_names)
        mapped.save_to_disk(str(out / "rows" / spec.source))
    return tokens[0]


BUILDS = {"new": build_new, "old": build_old, "hf": build_hf}


def run_one(path: str, data: Path, tokenizer: Path, seq_length: int, out: Path) -> dict:
    """In this (fresh) process: baseline after imports and a tokenizer load, then the build's peak."""
    import numpy  # noqa: F401  (both paths use it; its import is not the build's memory)

    from xuanyuan.sft import SegmentEncoder
    from xuanyuan.sft import stage_data  # noqa: F401

    if path == "hf":
        import datasets  # noqa: F401  (pyarrow, pandas, ...: an import, not the build's memory)
    SegmentEncoder(str(tokenizer)).fresh("warm up 预热")
    baseline = status_mib("VmRSS")
    start = time.perf_counter()
    tokens = BUILDS[path](data, tokenizer, seq_length, out)
    return {"path": path, "tokens": tokens, "seconds": time.perf_counter() - start,
            "held_mib": status_mib("VmHWM") - baseline, "baseline_mib": baseline}


def same_rows(new: Path, old: Path) -> bool:
    import numpy as np

    for name in ("input_ids", "labels", "position_ids"):
        if not np.array_equal(np.load(new / f"{name}.npy").astype(np.int64), np.load(old / f"{name}.npy")):
            return False
    return json.loads((new / "rows.json").read_text()) == json.loads((old / "rows.json").read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=20000)
    parser.add_argument("--seq-length", type=int, default=2048)
    parser.add_argument("--tokenizer", type=Path, default=None)
    parser.add_argument("--run", choices=tuple(BUILDS), help=argparse.SUPPRESS)  # the subprocess's part
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        result = run_one(args.run, args.work / "data", args.tokenizer, args.seq_length, args.work / args.run)
        print(json.dumps(result))
        return
    if not DATA.is_dir():
        sys.exit(f"{DATA}: the shared instruction samples are missing; this benchmark replicates them")
    with tempfile.TemporaryDirectory(prefix="sft_mem_") as tmp:
        work = Path(tmp)
        (work / "data").mkdir()
        write_replicated(work / "data", args.conversations)
        tokenizer = args.tokenizer or train_tokenizer(work / "tokenizer")
        results = {}
        for path in BUILDS:
            command = [sys.executable, __file__, "--run", path, "--work", str(work), "--tokenizer", str(tokenizer),
                       "--seq-length", str(args.seq_length)]
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode:
                sys.exit(f"the {path} build failed:\n{done.stderr[-3000:]}")
            results[path] = json.loads(done.stdout.strip().splitlines()[-1])
        identical = same_rows(work / "new" / "rows", work / "old" / "rows")
        # Rows as stored: ours .npy + rows.json; datasets' Arrow files (its cache of the raw JSON not counted).
        disk = {p: sum(f.stat().st_size for f in (work / p / "rows").rglob("*") if f.is_file()) for p in results}
    new, old, hf = results["new"], results["old"], results["hf"]
    tokens = new["tokens"]
    print(f"# sft_data peak memory: {args.conversations} conversations, {tokens:,} tokens, seq_length "
          f"{args.seq_length}; {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}\n")
    print("| build | held at peak (MiB) | bytes/token | rows on disk (MiB) | seconds |")
    print("|---|---:|---:|---:|---:|")
    for name, r in (("old: lists + int64 arrays", old), ("Hugging Face datasets: load_dataset + map + save_to_disk", hf),
                    ("new: streamed, compact store", new)):
        print(f"| {name} | {r['held_mib']:.1f} | {r['held_mib'] * 2**20 / tokens:.2f} | {disk[r['path']] / 2**20:.1f} "
              f"| {r['seconds']:.1f} |")
    print(f"| **old / new** | **{old['held_mib'] / new['held_mib']:.1f}x** | "
          f"**{old['held_mib'] / new['held_mib']:.1f}x** | {disk['old'] / disk['new']:.1f}x | "
          f"{old['seconds'] / new['seconds']:.2f}x |")
    print(f"| **hf / new** | **{hf['held_mib'] / new['held_mib']:.1f}x** | **{hf['held_mib'] / new['held_mib']:.1f}x** | "
          f"{disk['hf'] / disk['new']:.1f}x | {hf['seconds'] / new['seconds']:.2f}x |")
    print(f"\nrows identical (old int64 == new cast to int64, same members): {'yes' if identical else 'NO'}; "
          f"baseline RSS before the build (imports + tokenizer): new {new['baseline_mib']:.0f} MiB, "
          f"old {old['baseline_mib']:.0f} MiB, hf {hf['baseline_mib']:.0f} MiB")
    print(f"Hugging Face datasets row: {hf['tokens']:,} tokens, unpacked, no repeat removed "
          f"({'the same as ours' if hf['tokens'] == tokens else f'ours after removing repeats: {tokens:,}'})")
    if not identical or old["tokens"] != tokens:
        sys.exit("the builds differ")


if __name__ == "__main__":
    main()
