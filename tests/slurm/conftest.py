"""A real one-machine SLURM (scripts/slurm/start.sh) and a tiny config for runs through `--profile slurm`.

The cluster is started once per test session (two nodes, fake GPUs) and stopped at the end when this
session started it. Where SLURM cannot be started (not root, no apt-get, no SLURM packages) every
test here is skipped with the reason.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
START, STOP = REPO / "scripts" / "slurm" / "start.sh", REPO / "scripts" / "slurm" / "stop.sh"
NODES = 2


def _cannot_start() -> str | None:
    """Why this machine cannot run the test cluster, or None."""
    if sys.platform != "linux":
        return "SLURM tests need Linux"
    if os.geteuid() != 0:
        return "SLURM tests need root (scripts/slurm/start.sh installs packages and starts daemons); run pytest as root"
    if not shutil.which("slurmctld") and not shutil.which("apt-get"):
        return "SLURM tests need the slurmctld/slurmd/munge packages or apt-get to install them"
    try:
        import snakemake_executor_plugin_slurm  # noqa: F401
    except ImportError:
        return "SLURM tests need snakemake-executor-plugin-slurm (pip install snakemake-executor-plugin-slurm)"
    return None


def _cluster_up() -> bool:
    return shutil.which("scontrol") is not None and subprocess.run(
        ["scontrol", "ping"], capture_output=True, text=True).stdout.count("is UP") > 0


@contextlib.contextmanager
def shared_once(tmp_path_factory, name: str):
    """A directory and an exclusive lock shared by every xdist worker of this test run.

    The `slurm` xdist group should keep these tests on one worker, but scheduling does not always
    honour it (see tests/workflow/conftest.py); with the lock, the first worker does the work and
    the others find it done.
    """
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield shared / name


@pytest.fixture(scope="session")
def slurm_cluster(tmp_path_factory):
    """Two idle SLURM nodes on this machine, each with 2 fake GPUs."""
    reason = _cannot_start()
    if reason:
        pytest.skip(reason)
    with shared_once(tmp_path_factory, "slurm_cluster"):
        was_up = _cluster_up()
        env = dict(os.environ, XY_SLURM_NODES=str(NODES), XY_SLURM_GPUS="2")
        result = subprocess.run([str(START)], capture_output=True, text=True, env=env, timeout=900)
    if result.returncode != 0:
        pytest.fail(f"scripts/slurm/start.sh failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    yield result.stdout.strip()
    if not was_up:
        # The worker that started the cluster stops it when its session ends (after all tests ran).
        subprocess.run([str(STOP)], capture_output=True, text=True, timeout=120)


def tiny_slurm_config(**sections) -> dict:
    """The default config cut down for SLURM tests: two generated sources, a few dozen documents each,
    a small quality classifier, a short stand-in pretraining; `sections` replace whole top-level keys."""
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    keep = ("zh_news", "en_web")
    config["sources"] = {name: {**source, "shards": 1} for name, source in config["sources"].items() if name in keep}
    config["corpus"] = {
        "documents": {name: (40 if name in keep else 0) for name in config["corpus"]["documents"]},
        "huge_document_mb": 1,
        "plants": {
            "exact_duplicate": {"byte_identical": 2, "new_boilerplate": 1},
            "near_duplicate": {"clusters": 1},
            "boilerplate_line": 2, "pii": 2,
            "low_quality": {name: 1 for name in ("too_short", "repeated_lines", "symbol_spam", "keyword_list",
                                                  "mojibake", "wrong_language")},
            "harmful": {name: 1 for name in ("gambling", "porn", "violence", "discrimination", "reactionary",
                                              "wrong_values")},
            "bad_file": {name: 0 for name in ("corrupt_pdf", "binary_file", "empty_file", "charset_mismatch",
                                              "too_large", "no_text_layer", "bad_json", "missing_text")},
        },
    }
    config["quality"] = {"training": {"generated": {"per_category": 30, "clean": 150, "hard_negative": 30}},
                         "fasttext": {"epoch": 5, "bucket": 100000}}
    config["resources"] = {"default": {"threads": 1, "mem_mb": 500, "runtime": 30}}
    config.update(sections)
    return config


def snakemake_command(directory: Path, config_file: Path, *args: str) -> list[str]:
    """`snakemake --profile slurm` as a user types it in the repository root, on `directory`; status
    polls every 2 s instead of the plugin's backoff (tests/slurm/poll_fast.py)."""
    return [sys.executable, str(Path(__file__).with_name("poll_fast.py")), "-s", str(REPO / "Snakefile"),
            "--profile", "slurm", *args,
            "--configfile", str(config_file), "--directory", str(directory),
            # the test cluster answers at once; the profile's 20 s first poll suits a busy controller
            "--slurm-init-seconds-before-status-checks", "2", "--latency-wait", "5"]
