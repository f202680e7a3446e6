"""What an edit reruns: "changing key X plans only jobs Y", as dry runs of the real workflow.

The finished run is a stand-in: every output of the default config's DAG as an empty file (or folder),
then `snakemake --touch --forceall`, which writes Snakemake's records (params, inputs, code) for every
job without running one. A dry run with an edited config then plans exactly what a finished run would
(about a minute in all, no pipeline run).
"""

import re
import shutil
from pathlib import Path

import pytest
import yaml

from tests.slurm.conftest import shared_once
from tests.workflow.conftest import REPO, snakemake

# One worker builds the stand-in run once for all four tests (the fixture is per module, per worker).
pytestmark = pytest.mark.xdist_group("rerun_scope")

TRAINING = {"pretrain_base_standin", "pretrain_stage", "sft_train"}
# Outputs declared with directory(): made as folders in the stand-in run.
DIRECTORY_RULES = {"quantize"}
DIRECTORY_OUTPUTS = {"work/tokenizer/standin", "work/tokenizer/base_hf"}


def planned(output: str) -> dict[str, int]:
    """{rule: jobs} of a dry run's job-stats table (empty when nothing is to be done)."""
    jobs = {}
    for line in output.splitlines():
        match = re.match(r"^(\w+)\s+(\d+)$", line.strip())
        if match and match.group(1) not in ("total", "all"):
            jobs[match.group(1)] = int(match.group(2))
    return jobs


def default_config() -> dict:
    return yaml.safe_load((REPO / "config" / "config.yaml").read_text())


@pytest.fixture(scope="module")
def touched_run(tmp_path_factory) -> Path:
    """A run directory whose records say the default config's whole DAG is done (built once per session:
    the xdist group does not always keep these tests on one worker)."""
    with shared_once(tmp_path_factory, "touched_run") as run:
        done = run.parent / "touched_run.done"
        if not done.exists():
            shutil.rmtree(run, ignore_errors=True)
            run.mkdir(parents=True)
            _touch_whole_dag(run)
            done.touch()
    return run


def _touch_whole_dag(run: Path) -> None:
    config = str(REPO / "config" / "config.yaml")
    summary = snakemake("--summary", "--directory", str(run), "--configfile", config, cwd=run, timeout=300)
    assert summary.returncode == 0, summary.stderr[-3000:]
    for line in summary.stdout.splitlines()[1:]:
        path, _, rule = line.split("\t")[:3]
        target = run / path
        if rule in DIRECTORY_RULES or path in DIRECTORY_OUTPUTS:
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.touch()
    touch = snakemake("--touch", "--forceall", "--cores", "1", "--directory", str(run), "--configfile", config,
                      cwd=run, timeout=300)
    assert touch.returncode == 0, touch.stderr[-3000:]


def plan(run: Path, config: dict, tmp_path: Path, snakefile_repo: Path = REPO) -> dict[str, int]:
    changed = tmp_path / "changed.yaml"
    # In the edited config's own key order (the reordering test below depends on it).
    changed.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False))
    args = ["-n", "--directory", str(run), "--configfile", str(changed)]
    if snakefile_repo != REPO:
        args = ["-s", str(snakefile_repo / "Snakefile"), *args]
    result = snakemake(*args, cwd=run, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return planned(result.stdout + result.stderr)


@pytest.mark.slow
def test_report_logging_and_measurement_settings_rerun_no_training_quantization_or_clustering(touched_run, tmp_path):
    config = default_config()
    config["pretrain"] = {"perplexity": {"english_tolerance": 0.2}, "log_every": 5, "checkpoint_every": 7,
                          "keep_checkpoints": 3, "peak_tflops": 100.0, "spikes": {"window": 7, "stop_after": 9},
                          "validation": {"every": 10, "max_docs": 3}}
    config["quantize"] = {"speed": {"repeats": 3}}
    config["dedup"]["max_cluster_size"] = 7
    jobs = plan(touched_run, config, tmp_path)
    assert not (TRAINING | {"sft_data", "quantize", "dedup_clusters", "dedup_apply", "evaluate", "generate"}) & set(jobs), jobs
    # What does depend on them: the measurements (speed), the perplexity verdicts and dedup's warnings.
    assert jobs.get("quantize_measure") == 4 and "perplexity_report" in jobs and "dedup_eval" in jobs, jobs
    assert "perplexity" not in jobs, jobs  # the tolerance is the report's; the scores do not depend on it


@pytest.mark.slow
def test_a_stage2_schedule_edit_retrains_stage2_and_after_but_not_the_base_or_stage1(touched_run, tmp_path):
    config = default_config()
    config["pretrain"] = {"stage2": {"lr": 5e-4}}
    jobs = plan(touched_run, config, tmp_path)
    assert jobs.get("pretrain_stage") == 1 and jobs.get("sft_train") == 2 and jobs.get("quantize") == 4, jobs
    assert "pretrain_base_standin" not in jobs and "sft_data" not in jobs, jobs


@pytest.mark.slow
def test_an_sft_stage2_schedule_edit_retrains_sft2_only(touched_run, tmp_path):
    config = default_config()
    config["sft"] = {"stage2": {"train": {"lr": 1e-4}}}
    jobs = plan(touched_run, config, tmp_path)
    assert jobs.get("sft_train") == 1 and not {"pretrain_stage", "pretrain_base_standin", "sft_data"} & set(jobs), jobs
    # sft2 is the quantize source: its four variants follow, and the evaluation of those five models only.
    assert jobs.get("quantize") == 4 and jobs.get("evaluate") == 5, jobs


@pytest.mark.slow
def test_the_same_run_from_another_checkout_with_its_sources_reordered_plans_nothing(touched_run, tmp_path):
    other = tmp_path / "other_checkout"
    other.mkdir()
    shutil.copy(REPO / "Snakefile", other / "Snakefile")
    for name in ("rules", "config", "workflow_scripts", "profiles", "envs"):
        shutil.copytree(REPO / name, other / name, ignore=shutil.ignore_patterns("__pycache__"))
    config = default_config()
    # Moving sources around in the YAML is no edit: the workflow reads them by name.
    config["sources"] = dict(reversed(list(config["sources"].items())))
    assert plan(touched_run, config, tmp_path, snakefile_repo=other) == {}
