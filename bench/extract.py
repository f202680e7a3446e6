"""Benchmark HTML main-text extractors on pages with known expectations.

Usage: python bench/extract.py [--pages-dir DIR] [--rounds N]

DIR holds `expectations.json` (URL -> {file, with: [...], without: [...]}) and `pages/`,
as in trafilatura's evaluation set. A page's text is whitespace-normalised; each `with`
snippet found and each `without` snippet absent counts as a pass. Every page is decoded
once with `xuanyuan.extract.encoding.decode_html` before timing, so all candidates get
the same Unicode input and only extraction is timed. Each round runs every candidate
over all pages (candidates interleaved, so machine load hits them alike); docs/s is the
median over rounds. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from xuanyuan.extract.encoding import decode_html  # noqa: E402
from xuanyuan.extract.html import extract_html  # noqa: E402


def candidates() -> dict[str, Callable[[str], str]]:
    import trafilatura
    from resiliparse.extract.html2text import extract_plain_text

    return {
        "trafilatura (defaults)": lambda html: trafilatura.extract(html) or "",
        "trafilatura (fast=True)": lambda html: trafilatura.extract(html, fast=True) or "",
        "resiliparse (main_content=True)": lambda html: extract_plain_text(html, main_content=True),
        "selectolax (tag stripping)": lambda html: extract_html(html, extractor="selectolax").text,
        "xuanyuan hybrid (default)": lambda html: extract_html(html).text,
    }


def normalise(text: str) -> str:
    return " ".join(text.split())


def load_pages(folder: Path) -> list[tuple[dict, str]]:
    expectations = json.loads((folder / "expectations.json").read_text(encoding="utf-8"))
    pages = []
    for entry in expectations.values():
        raw = (folder / "pages" / entry["file"]).read_bytes()
        pages.append((entry, decode_html(raw).text))
    return pages


def score(extract: Callable[[str], str], pages: list[tuple[dict, str]]) -> dict[str, float]:
    found = with_total = absent = without_total = 0
    for entry, html in pages:
        text = normalise(extract(html))
        found += sum(normalise(s) in text for s in entry["with"])
        absent += sum(normalise(s) not in text for s in entry["without"])
        with_total += len(entry["with"])
        without_total += len(entry["without"])
    return {
        "pass_rate": (found + absent) / (with_total + without_total),
        "with_recall": found / with_total,
        "without_precision": absent / without_total,
        "passed": found + absent,
        "total": with_total + without_total,
    }


def time_round(extract: Callable[[str], str], pages: list[tuple[dict, str]]) -> float:
    start = time.perf_counter()
    for _, html in pages:
        extract(html)
    return len(pages) / (time.perf_counter() - start)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.system()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages-dir", type=Path, default=REPO.parent / "shared" / "data" / "html_extraction")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    if not (args.pages_dir / "expectations.json").is_file():
        print(f"no benchmark pages at {args.pages_dir} (expectations.json missing); pass --pages-dir", file=sys.stderr)
        return 0

    pages = load_pages(args.pages_dir)
    extractors = candidates()
    scores = {name: score(extract, pages) for name, extract in extractors.items()}  # also warms caches up
    speeds: dict[str, list[float]] = {name: [] for name in extractors}
    for _ in range(args.rounds):
        for name, extract in extractors.items():
            speeds[name].append(time_round(extract, pages))
    median = {name: statistics.median(values) for name, values in speeds.items()}
    baseline = median["trafilatura (defaults)"]

    print(f"{len(pages)} pages from {args.pages_dir}, {scores[next(iter(scores))]['total']} snippets; "
          f"median of {args.rounds} rounds; {machine()}; {date.today().isoformat()}\n")
    print("| extractor | pass rate | with-recall | without-precision | docs/s | speed vs trafilatura defaults |")
    print("|---|---|---|---|---|---|")
    for name in extractors:
        s = scores[name]
        print(
            f"| {name} | {s['pass_rate']:.1%} ({s['passed']}/{s['total']}) | {s['with_recall']:.1%} | "
            f"{s['without_precision']:.1%} | {median[name]:.1f} | {median[name] / baseline:.1f}x |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
