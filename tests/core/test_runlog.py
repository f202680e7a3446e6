"""A rule script's thread limit reaches PyTorch too when PyTorch was imported first."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _threads_after_limit(import_torch_first: bool) -> list[str]:
    code = ("import torch\n" if import_torch_first else "") + (
        "from xuanyuan.runlog import limit_threads\n"
        "limit_threads(1)\n"
        "import os, torch\n"
        "print(torch.get_num_threads(), os.environ['OMP_NUM_THREADS'], os.environ['RAYON_NUM_THREADS'])\n")
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "RAYON_NUM_THREADS")}
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True)
    return done.stdout.split()


def test_limit_threads_sets_the_environment_before_torch_loads():
    assert _threads_after_limit(import_torch_first=False) == ["1", "1", "1"]


def test_limit_threads_tells_an_already_imported_torch():
    # OpenMP read OMP_NUM_THREADS when torch loaded; the variable alone would leave it at one per core.
    assert _threads_after_limit(import_torch_first=True) == ["1", "1", "1"]
