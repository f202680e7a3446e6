"""Config hash and code version: stamped on every result row (DESIGN.md, "Results")."""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

from xuanyuan import __version__


# Scheduling settings change where and how fast a result is made, not the result.
RESULT_NEUTRAL_KEYS = ("resources",)


def config_hash(config: dict[str, Any]) -> str:
    """Short sha256 of the validated config (defaults included), independent of key order."""
    relevant = {key: value for key, value in config.items() if key not in RESULT_NEUTRAL_KEYS}
    canonical = json.dumps(relevant, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, timeout=10, check=True
    ).stdout.strip()


@lru_cache(maxsize=1)
def code_version() -> str:
    """`<package version>+<git commit>[-dirty]`, or the package version outside a git checkout.

    Changes under results/ do not count as dirty: a run rewrites those tables itself.
    """
    repo = Path(__file__).resolve().parents[1]
    try:
        commit = _git(repo, "rev-parse", "--short=10", "HEAD")
        changed = _git(repo, "status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)results")
    except (OSError, subprocess.SubprocessError):
        return __version__
    return f"{__version__}+{commit}{'-dirty' if changed else ''}"


def cpu_name() -> str:
    """The CPU model, for the setup line under a benchmark's table."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def hardware_description(devices: list[str] | tuple[str, ...] = ("cpu",)) -> str:
    """What a timing was measured on, for a report's setup line: the GPUs by name, or the CPU model,
    the threads PyTorch uses and the vector instructions its kernels chose (AVX512 or AVX2 changes
    CPU speed ratios, e.g. of int8 against bf16, several-fold)."""
    import torch

    gpus = [d for d in devices if str(d).startswith("cuda")]
    if gpus and torch.cuda.is_available():
        names = [torch.cuda.get_device_name(torch.device(d)) for d in gpus]
        return ", ".join(f"{names.count(name)} x {name}" for name in dict.fromkeys(names))
    return f"{cpu_name()}, {torch.get_num_threads()} threads, {torch.backends.cpu.get_cpu_capability()}"
