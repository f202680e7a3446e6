"""How often a fresh process's first parallel cos comes out of MKL's low-accuracy mode, with and without
`xuanyuan.vector_math.initialise_vector_math` (what a job runs first) and with plain PyTorch (what a user has).

    python bench/vml_first_call.py                  # 200 processes of each, in turn (about 21 minutes on 2 cores)
    python bench/vml_first_call.py --processes 50

Each child is a fresh interpreter, like a pipeline job. It starts two busy Python threads (a GPTQ job
has several helper threads: progress bars, device polling, worker pools), optionally warms up, then
computes cos of a RoPE-shaped angle table (256 positions x 32, float32: two OpenMP chunks on 2
threads) twice. A first result that differs from the second counts; the child also checks whether the
odd values equal MKL's `vmsCos` in VML_EP mode, the "enhanced performance" mode of about 11 correct bits.
Printed: per variant, the processes, how many had a wrong first cos, how many of those were VML_EP.
A rare event: read the counts with their sampling error (a count of 2 in 200 is 0.3% to 3.6%).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402

from xuanyuan.tables import markdown_table  # noqa: E402

CHILD = r"""
import json, sys, threading
import torch
from xuanyuan.vector_math import VML_EP, initialise_vector_math, mkl_vector_math
stop = False
def spin():
    while not stop:
        pass
for _ in range(2):
    threading.Thread(target=spin, daemon=True).start()
if sys.argv[1] == "initialise_vector_math":
    initialise_vector_math()
inv_freq = 1.0 / (10000 ** (torch.arange(0, 32, 2, dtype=torch.int64).float() / 32))
angles = torch.arange(256).float()[:, None] * inv_freq[None, :]
table = torch.cat([angles, angles], dim=-1).contiguous()
first, second = table.cos(), table.cos()
stop = True
wrong = (first != second).numpy()
ep = bool(wrong.any() and (first.numpy()[wrong] == mkl_vector_math("cos", table.numpy(), VML_EP)[wrong]).all())
print(json.dumps({"wrong": int(wrong.sum()), "ep": ep}))
"""

VARIANTS = ("plain torch", "initialise_vector_math")


def child(variant: str) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, variant.replace(" ", "_")], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1], check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, default=200, help="fresh processes per variant")
    args = parser.parse_args()
    counts = {variant: {"wrong": 0, "ep": 0} for variant in VARIANTS}
    for _ in range(args.processes):
        for variant in VARIANTS:  # interleaved, so both see the same machine
            result = child(variant)
            counts[variant]["wrong"] += result["wrong"] > 0
            counts[variant]["ep"] += result["ep"]
    rows = [[variant, args.processes, counts[variant]["wrong"], f"{100 * counts[variant]['wrong'] / args.processes:.1f}%",
             counts[variant]["ep"]] for variant in VARIANTS]
    print(markdown_table(["variant", "processes", "first cos wrong", "rate", "of which VML_EP"], rows))


if __name__ == "__main__":
    main()
