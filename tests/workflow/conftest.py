"""Run the real Snakemake workflow in a scratch directory (nothing is written to the checkout)."""

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.local_snakemake import local_env

REPO = Path(__file__).resolve().parents[2]


def snakemake(*args: str, cwd: Path | None = None, timeout: int = 1800) -> subprocess.CompletedProcess:
    """`snakemake -s <repo>/Snakefile ...` with the test's Python, capturing output."""
    command = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), *args]
    env = local_env(PYTHONHASHSEED="0")
    return subprocess.run(command, cwd=cwd or REPO, capture_output=True, text=True, timeout=timeout, env=env)


# The whole default run beside the other tests: about 19 min on a 2-core Intel Xeon with AVX512, over
# 30 min on a 2-vCPU AMD EPYC with AVX2 only (there the bf16, int8 and 4-bit variants' evaluation and
# perplexity jobs take 2-5x as long as the fp32 ones). The limit only catches a hang.
DEFAULT_RUN_TIMEOUT_S = 3600


def run_default_pipeline(directory: Path, *targets: str) -> subprocess.CompletedProcess:
    directory.mkdir(parents=True, exist_ok=True)
    # Targets first: after --configfile, Snakemake would read them as more config files.
    result = snakemake(
        *targets, "--cores", "2", "--directory", str(directory), "--configfile", str(REPO / "config" / "config.yaml"),
        cwd=directory, timeout=DEFAULT_RUN_TIMEOUT_S,
    )
    if result.returncode != 0:
        log_dir = directory / "logs"
        logs = "\n".join(f"--- {p}\n{p.read_text()[-3000:]}" for p in sorted(log_dir.rglob("*.log"))) if log_dir.exists() else ""
        pytest.fail(f"snakemake failed ({result.returncode}):\n{result.stdout[-4000:]}\n{result.stderr[-6000:]}\n{logs}")
    return result


def checksums(directory: Path, patterns=("work/**/*.zst", "work/**/*.json", "work/**/*.jsonl", "results/*.csv")) -> dict[str, str]:
    sums = {}
    for pattern in patterns:
        for path in sorted(directory.glob(pattern)):
            sums[str(path.relative_to(directory))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return sums


FAILED = "default_run.failed"


def ensure_default_run(shared: Path) -> Path:
    """The default pipeline's run directory under `shared`, run once per test session.

    Every caller (the session's early start in tests/conftest.py, each xdist worker's fixture)
    takes a file lock in the session's shared temp root, so the pipeline runs once; a failed run
    is written beside it and raised to every later caller.
    """
    directory = shared / "default_run"
    with open(shared / "default_run.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (shared / FAILED).exists():
            raise RuntimeError((shared / FAILED).read_text())
        if not (directory / ".complete").exists():
            shutil.rmtree(directory, ignore_errors=True)
            try:
                run_default_pipeline(directory)
            except BaseException as exc:  # pytest.fail raises an Exception subclass of BaseException
                (shared / FAILED).write_text(str(exc) or repr(exc))
                raise RuntimeError(str(exc)) from None
            (directory / ".complete").touch()
    return directory


def shared_root(tmp_path_factory) -> Path:
    """The session's temp root, the same for the controller and every xdist worker."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def default_run(tmp_path_factory) -> Path:
    """One full run of the default pipeline, shared by the end-to-end tests of every xdist worker
    (started at the beginning of the session when the whole suite runs: tests/conftest.py)."""
    try:
        return ensure_default_run(shared_root(tmp_path_factory))
    except RuntimeError as exc:
        pytest.fail(str(exc))
