"""xuanyuan.cluster without a cluster: config -> Snakemake resources -> the sbatch line the executor
plugin builds, the srun line of a multi-node launch, the launch options of a rule, the dry-run layout."""

from types import SimpleNamespace

import pytest
import yaml
from snakemake.utils import validate

from tests.slurm.conftest import REPO
from xuanyuan.cluster.dryrun import full_scale_overlay
from xuanyuan.cluster.resources import group_settings, gpus_of, nodes_of, resources_for, retries_for, threads_for
from xuanyuan.cluster.slurm import Allocation, record_field, srun_per_node
from xuanyuan.train.launch import multi_node_options, rule_launch_options


def _validated(path):
    config = yaml.safe_load((REPO / path).read_text())
    validate(config, str(REPO / "config" / "schema.yaml"))
    return config


def test_the_default_config_asks_for_what_it_always_did():
    resources = _validated("config/config.yaml")["resources"]
    for group in ("extract", "clean", "dedup", "quality", "report"):
        assert resources_for(resources, group) == {"mem_mb": 2000, "runtime": 60}
        assert threads_for(resources, group) == 1
    assert resources_for(resources, "pretrain") == {"mem_mb": 2000, "runtime": 60}
    assert threads_for(resources, "pretrain") == 2


def test_the_full_recipe_trains_on_whole_gpu_nodes_and_keeps_data_jobs_on_cpus():
    resources = _validated("config/xuanyuan-70b.yaml")["resources"]
    for group in ("extract", "clean", "dedup", "quality", "mix", "tokenizer", "tokenize", "report"):
        assert not {"gres", "nodes", "mpi"} & set(resources_for(resources, group)), group
    pretrain = resources_for(resources, "pretrain")
    assert pretrain["gres"] == "gpu:8" and pretrain["nodes"] == pretrain["tasks"] >= 8 and pretrain["mpi"] == "srun"
    assert pretrain["slurm_partition"] == "gpu" and pretrain["tasks_per_gpu"] == 0
    assert threads_for(resources, "pretrain") == 8 * pretrain["cpus_per_gpu"]
    assert "nodes" not in resources_for(resources, "evaluate")  # one node: no srun, no mpi


def test_a_group_lays_its_keys_over_default_and_unknown_groups_are_named():
    resources = {"default": {"threads": 1, "mem_mb": 100, "runtime": 5, "slurm_account": "proj"},
                 "pretrain": {"mem_mb": 900}}
    assert group_settings(resources, "pretrain") == {"threads": 1, "mem_mb": 900, "runtime": 5, "slurm_account": "proj"}
    assert resources_for(resources, "pretrain")["slurm_account"] == "proj"
    with pytest.raises(ValueError, match="'trian' is not in config/schema.yaml"):
        group_settings(resources, "trian")


def _sbatch(resources, threads):
    """The sbatch line snakemake-executor-plugin-slurm would submit for a job with these resources."""
    from snakemake_executor_plugin_slurm.submit_string import get_submit_command
    from snakemake_executor_plugin_slurm.utils import set_gres_string

    class Resources(dict):
        __getattr__ = dict.__getitem__

    job = SimpleNamespace(resources=Resources(resources), threads=threads, name="pretrain_stage", wildcards={})
    params = {"run_uuid": "u", "slurm_logfile": "log", "comment_str": "rule_x", "account": "", "partition": "",
              "workdir": "/w"}
    return get_submit_command(job, params) + set_gres_string(job)


def test_the_plugin_turns_a_multi_node_gpu_group_into_one_task_per_node_with_8_gpus_each():
    settings = {"threads": 1, "mem_mb": 960000, "runtime": 2880, "nodes": 16, "gpus_per_node": 8, "cpus_per_gpu": 12}
    line = _sbatch(resources_for({"default": settings, "pretrain": {}}, "pretrain"), 96)
    assert "--nodes=16" in line and "--ntasks=16" in line and "--gres=gpu:8" in line and "--mem 960000" in line
    assert "--cpus-per-gpu=12" in line
    assert "ntasks-per-gpu" not in line and "--gpus=" not in line  # per node, not a job total


def test_the_plugin_submits_a_data_job_as_one_task_on_its_cpus():
    line = _sbatch({"mem_mb": 16000, "runtime": 240}, 4)
    assert "--ntasks=1" in line and "--cpus-per-task=4" in line and "--nodes" not in line and "gres" not in line


def test_resources_read_back_in_the_job():
    assert gpus_of({"gres": "gpu:8"}) == 8 and gpus_of({}) == 0
    assert nodes_of(SimpleNamespace(nodes=4)) == 4 and nodes_of(SimpleNamespace()) == 1


def test_srun_starts_one_task_per_node_with_explicit_geometry():
    allocation = Allocation(job_id="42", nodes=("gpu1", "gpu2", "gpu3"), master_addr="10.0.0.1")
    cmd = srun_per_node(allocation, 2, 96, ["python", "-m", "xuanyuan.cluster", "node", "job.json"])
    assert cmd[:1] == ["srun"] and "--jobid=42" in cmd and "--nodes=2" in cmd and "--ntasks-per-node=1" in cmd
    assert "--cpus-per-task=96" in cmd and "--nodelist=gpu1,gpu2" in cmd and cmd[-5:] == [
        "python", "-m", "xuanyuan.cluster", "node", "job.json"]
    assert record_field("NodeName=node1 Arch=x86_64 NodeAddr=10.1.2.3 NodeHostName=h", "NodeAddr") == "10.1.2.3"


def test_a_single_node_rule_launches_as_before():
    rule = SimpleNamespace(threads=2, log=["logs/pretrain/stage1.log"], resources=SimpleNamespace(mem_mb=2000))
    assert rule_launch_options(rule) == {"threads": 2, "log_path": "logs/pretrain/stage1.log.workers"}


def test_a_multi_node_rule_outside_slurm_says_what_to_do():
    with pytest.raises(RuntimeError, match="outside a SLURM allocation.*--profile slurm"):
        multi_node_options(4, env={})


def test_the_dry_run_layout_mirrors_each_sources_glob(tmp_path):
    config = {"sources": {"web": {"paths": "/data/zh/web/*.jsonl.zst", "shards": 2},
                          "pages": {"paths": ["/data/a/**/*.html", "/data/b/**/*.html"], "shards": 2}},
              "paths": {"work": "/scratch/work"}}
    overlay = full_scale_overlay(config, tmp_path, files_per_shard=2)
    assert overlay["sources"]["web"]["paths"] == str(tmp_path / "data/zh/web/*.jsonl.zst")
    assert len(list((tmp_path / "data/zh/web").glob("*.jsonl.zst"))) == 4
    assert len(list((tmp_path / "data").rglob("*.html"))) == 4  # dealt over both globs, in year/month dirs
    assert overlay["paths"]["work"] == str(tmp_path / "out/scratch/work")
    assert config["sources"]["web"]["paths"] == "/data/zh/web/*.jsonl.zst"  # the input is not changed


def test_a_training_groups_retries_are_its_rules_own_and_other_rules_keep_the_profiles():
    """Snakemake resubmits a job `retries` times: a long stage resumes over many jobs of `runtime`, so the training
    rules take theirs from resources.<group>.retries (xuanyuan.train.plan says how many), the rest from the profile."""
    script = """
import json, sys
from pathlib import Path
from snakemake.api import SnakemakeApi
from snakemake.settings.types import ConfigSettings, OutputSettings, ResourceSettings
with SnakemakeApi(OutputSettings(quiet={"all"})) as api:
    workflow = api.workflow(resource_settings=ResourceSettings(cores=1), snakefile=Path("Snakefile"), workdir=Path("."),
                            config_settings=ConfigSettings(config={"resources": {"pretrain": {"retries": 7}}}))
    # The rule's own setting (None: --retries, the profile's); `restart_times` needs an executor's settings.
    print(json.dumps({rule.name: rule._restart_times for rule in workflow._workflow.rules}))
"""
    import json
    import subprocess
    import sys

    from tests.local_snakemake import local_env

    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=300,
                          env=local_env())
    assert done.returncode == 0, done.stderr[-3000:]
    retries = json.loads(done.stdout.strip().splitlines()[-1])
    assert retries["pretrain_stage"] == retries["pretrain_base_standin"] == 7
    assert retries["sft_train"] is None and retries["tokenize_phase"] is None and retries["evaluate"] is None
    assert retries_for(_validated("config/xuanyuan-70b.yaml")["resources"], "pretrain") == 30
