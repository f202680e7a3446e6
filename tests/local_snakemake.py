"""The environment of a local (not SLURM) Snakemake run in the tests.

snakemake-executor-plugin-slurm runs `scontrol show config` whenever Snakemake loads its plugins,
whatever the executor, for a line of help text. Where SLURM's client is installed and no controller
answers (CI before tests/slurm starts its cluster, or after it stops), that call waits for its
10 s timeout: 10 s added to every dry run. A local run never talks to SLURM, so its PATH finds
tests/no_slurm/scontrol first, which fails at once; the plugin then uses its default. SLURM runs
(tests/slurm's snakemake_command) keep the real client.
"""

from __future__ import annotations

import os
from pathlib import Path

NO_SLURM = Path(__file__).resolve().parent / "no_slurm"


def local_env(**extra: str) -> dict[str, str]:
    """os.environ with tests/no_slurm first on PATH, and `extra` laid over it."""
    return {**os.environ, "PATH": f"{NO_SLURM}{os.pathsep}{os.environ.get('PATH', '')}", **extra}
