"""CI dry runs: the full recipe's DAG over a generated layout of raw shard files, planned through
`--profile slurm`, with the fan-out each stage should have; and `snakemake --lint`."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import pytest
import yaml

from tests.local_snakemake import local_env
from tests.slurm.conftest import REPO
from xuanyuan.cluster.dryrun import full_scale_overlay

FILES_PER_SHARD = 3


def planned_jobs(output: str) -> dict[str, int]:
    """Snakemake's job-stats table ("rule  count") of a dry run."""
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+)\s+(\d+)$", output, re.MULTILINE)}


def lint_findings(output: str) -> set[tuple[str, str]]:
    findings, where = set(), None
    for line in output.splitlines():
        head = re.match(r"Lints for (rule \w+|snakefile \S+?):?(?: \(|$)", line)
        if head:
            where = re.sub(r"^snakefile .*/", "snakefile ", head.group(1))
        item = re.match(r"\s+\* (.+)$", line)
        if item and where:
            findings.add((where, item.group(1).rstrip(":")))
    return findings


@pytest.fixture(scope="module")
def full_dry_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("full_scale")
    config = yaml.safe_load((REPO / "config" / "xuanyuan-70b.yaml").read_text())
    overlay = full_scale_overlay(config, root, FILES_PER_SHARD)
    config_file = root / "xuanyuan-70b.overlay.yaml"
    config_file.write_text(yaml.safe_dump(overlay, allow_unicode=True))
    start = time.monotonic()
    # As a cluster user types it in the repository root (the profile's plugin options must parse).
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "--profile", "slurm", "-n", "--quiet", "rules",
         "--configfile", str(config_file), "--directory", str(root / "run")],
        cwd=REPO, capture_output=True, text=True, timeout=900, env=local_env())
    seconds = time.monotonic() - start
    assert result.returncode == 0, result.stderr[-5000:]
    return config, planned_jobs(result.stdout + result.stderr), seconds


def test_the_full_recipe_plans_one_job_per_shard_and_stage(full_dry_run):
    config, jobs, seconds = full_dry_run
    shards = sum(source["shards"] for source in config["sources"].values())
    phases = len(config["mix"]["phases"])
    assert shards > 1000
    per_shard = ("extract", "clean", "minhash_signatures", "quality_filter", "keyword_candidates", "mix_histogram",
                 "mix_apply", "tokenize_shard")
    assert {rule: jobs.get(rule) for rule in per_shard} == {rule: shards for rule in per_shard}
    assert jobs["dedup_apply"] == 2 * shards  # stage 1 within a source, stage 2 across all
    assert jobs["lsh_candidates"] == 2 * config["dedup"]["band_jobs"]
    assert jobs["dedup_clusters"] == 2 and jobs["quality_classifier"] == jobs["mix_plan"] == jobs["tokenizer"] == 1
    assert jobs["tokenize_phase"] == phases and jobs["pretrain_stage"] == 2
    assert "generate_corpus" not in jobs and "pretrain_base_standin" not in jobs
    print(f"full-scale DAG: {jobs['total']} jobs over {shards} shards planned in {seconds:.0f} s")


def test_lint_is_clean():
    # Params naming a directory or prefix of a job's own files are derived from them (input_dir,
    # output_dir in rules/common.smk); each stage's names and helper functions live in
    # rules/layout.smk, apart from the rule files.
    result = subprocess.run([sys.executable, "-m", "snakemake", "--lint"], cwd=REPO, capture_output=True, text=True,
                            timeout=600, env=local_env())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert not lint_findings(output), sorted(lint_findings(output))
    assert "your workflow is in a good condition" in output, output[-3000:]


def test_the_workflow_profile_leaves_cluster_jobs_their_threads():
    """Snakemake applies profiles/default under `--profile slurm` too, and caps every job's threads at
    `cores` (remote jobs included): a `cores` there would give each SLURM job at most that many CPUs."""
    profile = yaml.safe_load((REPO / "profiles" / "default" / "config.yaml").read_text())
    assert "cores" not in profile and "max-threads" not in profile
    assert "cores" not in yaml.safe_load((REPO / "profiles" / "slurm" / "config.yaml").read_text())
