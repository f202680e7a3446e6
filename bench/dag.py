"""Size and build time of the full recipe's DAG (config/xuanyuan-70b.yaml) at several scales.

Usage: python bench/dag.py [--scales 0.25,0.5,1] [--files-per-shard 3]

Each scale multiplies every source's `shards`; raw files are laid out empty under a scratch
directory (xuanyuan.cluster.dryrun) so that extraction jobs have real inputs. A row is one
`snakemake -n --quiet rules` in a fresh process: jobs planned, wall seconds (parse + DAG + job
table) and peak memory of that process. One process, whatever cores the machine has.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from xuanyuan.cluster.dryrun import full_scale_overlay  # noqa: E402
from xuanyuan.provenance import cpu_name  # noqa: E402


def dry_run(config: dict, scale: float, files_per_shard: int) -> dict:
    scaled = {**config, "sources": {name: {**source, "shards": max(1, round(source["shards"] * scale))}
                                    for name, source in config["sources"].items()}}
    with tempfile.TemporaryDirectory(prefix="xuanyuan-dag-") as root:
        overlay = full_scale_overlay(scaled, root, files_per_shard)
        config_file = Path(root) / "config.yaml"
        config_file.write_text(yaml.safe_dump(overlay, allow_unicode=True))
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "snakemake", "-n", "--quiet", "rules", "--configfile",
                                 str(config_file), "--directory", str(Path(root) / "run")],
                                cwd=REPO, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        peak_mb = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
    if result.returncode != 0:
        sys.exit(f"dry run at scale {scale} failed:\n{result.stderr[-3000:]}")
    total = re.search(r"^total\s+(\d+)$", result.stdout + result.stderr, re.MULTILINE)
    shards = sum(source["shards"] for source in scaled["sources"].values())
    return {"scale": scale, "shards": shards, "files": shards * files_per_shard,
            "jobs": int(total.group(1)) if total else 0, "seconds": seconds, "peak_mb": peak_mb}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="0.25,0.5,1")
    parser.add_argument("--files-per-shard", type=int, default=3)
    args = parser.parse_args()
    config = yaml.safe_load((REPO / "config" / "xuanyuan-70b.yaml").read_text())
    print(f"# DAG build: config/xuanyuan-70b.yaml, {cpu_name()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, load {os.getloadavg()[0]:.1f}")
    print("| scale | shards | raw files | jobs | build s | jobs/s | peak MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for scale in (float(s) for s in args.scales.split(",")):
        row = dry_run(config, scale, args.files_per_shard)
        print(f"| {row['scale']:g} | {row['shards']} | {row['files']} | {row['jobs']} | {row['seconds']:.1f} | "
              f"{row['jobs'] / row['seconds']:.0f} | {row['peak_mb']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
