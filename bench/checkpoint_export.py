"""Exporting one checkpoint of a stage: `python -m xuanyuan.train export` against DeepSpeed's own
`zero_to_fp32.py`, the script DeepSpeed writes into every checkpoint directory and what a user would
reach for instead.

    python bench/checkpoint_export.py                                  # the default run's stage 2 (run the pipeline first)
    python bench/checkpoint_export.py --checkpoint-dir work/checkpoints/stage1 --step 30 --repeats 5

Both run as a user runs them, whole processes (start-up included), in turn: ours, DeepSpeed's, ours, ...
Printed: the median wall seconds and the peak memory of the largest process of each, their ratios, and
whether the weights are the same. What they write differs. DeepSpeed's is the fp32 state dict alone.
Ours is a loadable Hugging Face directory: config with the resized vocabulary and RoPE extension, tokenizer,
frozen weights kept in fp32 under DeepSpeed bf16, summary with the eval loss. These are one machine's
numbers: the ratio says what the extra start-up (torchrun, the engine, the eval batch) costs here.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ holds tokenize.py, which would shadow the standard library's tokenize module: repo root instead.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from xuanyuan.tables import markdown_table  # noqa: E402
from xuanyuan.train.checkpoint import latest_tag, tag_for  # noqa: E402
from xuanyuan.train.launch import environment_without_rendezvous  # noqa: E402


def run(cmd: list[str], cwd: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS in bytes of the largest process `cmd` waited for (Linux reports KiB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=environment_without_rendezvous(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr.read().decode()[-3000:]}")
    return seconds, usage.ru_maxrss * 1024


def same_weights(ours: Path, theirs: Path) -> str:
    import torch
    from safetensors.torch import load_file

    def tensors(directory: Path) -> dict:
        loaded = {}
        for path in sorted(directory.glob("*.safetensors")):
            loaded.update(load_file(path))
        return loaded

    a, b = tensors(ours), tensors(theirs)
    if a.keys() != b.keys():
        return f"no: names differ ({sorted(a.keys() ^ b.keys())[:3]})"
    different = [name for name in a if not torch.equal(a[name], b[name].to(a[name].dtype))]
    return "yes, bitwise" if not different else f"no: {len(different)} tensors differ ({different[:3]})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workspace", type=Path, default=Path.cwd(), help="where the pipeline ran (default: here)")
    parser.add_argument("--checkpoint-dir", default="work/checkpoints/stage2", help="relative to the workspace")
    parser.add_argument("--step", type=int, default=None, help="default: the latest checkpoint")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args()

    checkpoint_dir = args.workspace / args.checkpoint_dir
    tag = tag_for(args.step) if args.step is not None else latest_tag(checkpoint_dir)
    if tag is None or not (checkpoint_dir / tag).is_dir():
        raise SystemExit(f"{checkpoint_dir}: no checkpoint {tag or '(latest)'}; run the pipeline first "
                         "(snakemake --cores 2 in the repository root)")
    out = Path(tempfile.mkdtemp(prefix="export-bench-"))
    ours_cmd = [sys.executable, "-m", "xuanyuan.train", "export", args.checkpoint_dir, "--out", str(out / "ours"),
                "--step", str(int(tag.removeprefix("step"))), "--threads", str(args.threads)]
    # DeepSpeed's script, as it is in every checkpoint directory; safetensors like ours.
    theirs_cmd = [sys.executable, str(checkpoint_dir / "zero_to_fp32.py"), args.checkpoint_dir, str(out / "theirs"),
                  "--tag", tag, "--safe_serialization"]
    times: dict[str, list[float]] = {"ours": [], "theirs": []}
    peaks: dict[str, list[int]] = {"ours": [], "theirs": []}
    try:
        for _ in range(args.repeats):
            for name, cmd in (("ours", ours_cmd), ("theirs", theirs_cmd)):
                shutil.rmtree(out / name, ignore_errors=True)
                seconds, peak = run(cmd, args.workspace)
                times[name].append(seconds)
                peaks[name].append(peak)
        verdict = same_weights(out / "ours", out / "theirs")
    finally:
        written = {name: sorted(p.name for p in (out / name).iterdir()) if (out / name).is_dir() else []
                   for name in times}
        shutil.rmtree(out, ignore_errors=True)

    median = {name: statistics.median(values) for name, values in times.items()}
    peak = {name: max(values) for name, values in peaks.items()}
    rows = [["python -m xuanyuan.train export", f"{median['ours']:.2f}", f"{peak['ours'] / 2**20:.0f}",
             f"{median['ours'] / median['theirs']:.2f}x", f"{peak['ours'] / peak['theirs']:.2f}x",
             ", ".join(written["ours"])],
            ["DeepSpeed zero_to_fp32.py", f"{median['theirs']:.2f}", f"{peak['theirs'] / 2**20:.0f}", "1x", "1x",
             ", ".join(written["theirs"])]]
    print(f"{checkpoint_dir}/{tag}, {args.repeats} runs each, in turn; median wall s, peak RSS of the largest process")
    print(markdown_table(["command", "seconds", "peak MiB", "time ratio", "memory ratio", "writes"], rows))
    print(f"same weights: {verdict}")


if __name__ == "__main__":
    main()
