"""What a data job pays to get its tokenizer: `load_tokenizer` (the `tokenizers` library alone) vs
transformers' AutoTokenizer, each in a fresh process as Snakemake starts one per job.

    python bench/tokenizer_load.py                    # a stand-in tokenizer trained here (~0.3 s)
    python bench/tokenizer_load.py --tokenizer models/tokenizer --docs 2000

A row: a fresh `python -c` that imports what the job imports, loads the tokenizer directory and
encodes `--docs` mixed Chinese/English documents with `BatchEncoder` (the tokenize and mix-histogram
jobs' encoder). Wall and CPU seconds (user + sys of the child) are medians of `--repeats` runs,
alternating the two loaders; the ids of both are compared once.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ holds tokenize.py, which would shadow the standard library's tokenize module: repo root instead.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

LOADERS = {
    "load_tokenizer (tokenizers only)": "from xuanyuan.tokdata.encoding import load_tokenizer\n"
                                        "tokenizer = load_tokenizer(path)\n",
    "AutoTokenizer (transformers)": "from transformers import AutoTokenizer\n"
                                    "tokenizer = AutoTokenizer.from_pretrained(path)\n",
}
JOB = """
import hashlib, json, sys
path, docs = sys.argv[1], json.load(open(sys.argv[2]))
{load}
from xuanyuan.tokdata.encoding import BatchEncoder
ids = BatchEncoder(tokenizer)(docs)
print(type(tokenizer).__name__, hashlib.sha256(json.dumps(ids).encode()).hexdigest(), sum(map(len, ids)))
"""


def sample_docs(count: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    zh = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严"
    words = "the market rate bank bond yield stock price index fund trade growth risk credit loan deposit policy".split()
    docs = []
    for i in range(count):
        if i % 2:
            docs.append("".join(rng.choice(zh) for _ in range(rng.randint(200, 800))))
        else:
            docs.append(" ".join(rng.choice(words) for _ in range(rng.randint(60, 300))))
    return docs


def stage_tokenizer(out: Path, docs: list[str]) -> Path:
    """A tokenizer directory as the tokenizer stage writes it: a stand-in trained on `docs`, exported."""
    from xuanyuan.tokenizer.hf import write_hf_tokenizer
    from xuanyuan.tokenizer.standin import train_standin

    model = train_standin(docs, out / "standin", vocab_size=800, character_coverage=1.0, max_sentences=5000)
    return write_hf_tokenizer(model, out / "tokenizer")


def run_once(loader: str, tokenizer: Path, docs_file: Path) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", JOB.format(load=LOADERS[loader]), str(tokenizer), str(docs_file)],
                            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": sys.path[0]})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"{loader} failed:\n{result.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, result.stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokenizer", help="a tokenizer directory (default: a stand-in trained here)")
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    docs = sample_docs(args.docs)
    with tempfile.TemporaryDirectory(prefix="tokenizer_load.") as tmp:
        tokenizer = Path(args.tokenizer) if args.tokenizer else stage_tokenizer(Path(tmp), docs)
        docs_file = Path(tmp) / "docs.json"
        docs_file.write_text(json.dumps(docs, ensure_ascii=False))
        runs: dict[str, list[tuple[float, float, str]]] = {loader: [] for loader in LOADERS}
        for _ in range(args.repeats):
            for loader in LOADERS:
                runs[loader].append(run_once(loader, tokenizer, docs_file))
    outputs = {loader: {r[2].split(maxsplit=1)[1] for r in rows} for loader, rows in runs.items()}
    same_ids = len({frozenset(v) for v in outputs.values()}) == 1 and all(len(v) == 1 for v in outputs.values())
    chars = sum(map(len, docs))
    print(f"{args.docs} documents, {chars / 1e6:.2f} M characters; fresh process per run, median of {args.repeats}; "
          f"ids identical: {'yes' if same_ids else 'NO'}\n")
    print("| loader | class | wall s | CPU s | wall vs AutoTokenizer | CPU vs AutoTokenizer |")
    print("|---|---|---:|---:|---:|---:|")
    reference = runs["AutoTokenizer (transformers)"]
    ref_wall = statistics.median(r[0] for r in reference)
    ref_cpu = statistics.median(r[1] for r in reference)
    for loader, rows in runs.items():
        wall, cpu = statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows)
        print(f"| {loader} | {rows[0][2].split()[0]} | {wall:.2f} | {cpu:.2f} | {wall / ref_wall:.2f}x | "
              f"{cpu / ref_cpu:.2f}x |")
    return 0 if same_ids else 1


if __name__ == "__main__":
    sys.exit(main())
