"""`python -m xuanyuan.corpus --out DIR [--seed N] [--scale X] [--huge-mb MB] [--overwrite]`."""

from __future__ import annotations

import argparse
import sys
import time

from xuanyuan.corpus.generate import generate_corpus
from xuanyuan.corpus.settings import DEFAULT_DOCUMENTS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m xuanyuan.corpus", description="Generate the synthetic raw corpus with planted defects.")
    parser.add_argument("--out", required=True, help="output directory (must be empty unless --overwrite)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the default document counts (default 1.0)")
    parser.add_argument("--huge-mb", type=float, default=20, help="size of the single-line too_large page in MB (0 disables it)")
    parser.add_argument("--overwrite", action="store_true", help="replace a corpus generated earlier in --out")
    args = parser.parse_args(argv)
    documents = {source: max(0, round(count * args.scale)) for source, count in DEFAULT_DOCUMENTS.items()}
    started = time.perf_counter()
    try:
        manifest = generate_corpus(args.out, documents, None, args.seed, args.huge_mb, overwrite=args.overwrite)
    except (FileExistsError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - started
    print(f"{manifest['total_documents']} documents, {manifest['total_files']} files, "
          f"{manifest['total_bytes'] / 1e6:.1f} MB in {args.out} ({elapsed:.1f} s)")
    for source, info in manifest["sources"].items():
        print(f"  {source:18s} {info['documents']:5d} documents {info['files']:5d} files {info['bytes'] / 1e6:7.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
