"""Config hash and code version: stamped on every result row (DESIGN.md, "Results")."""

from __future__ import annotations

import hashlib
import json
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


@lru_cache(maxsize=1)
def code_version() -> str:
    """`<package version>+<git commit>[-dirty]`, or the package version outside a git checkout."""
    repo = Path(__file__).resolve().parents[1]
    try:
        described = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--abbrev=10"],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return __version__
    return f"{__version__}+{described}" if described else __version__
