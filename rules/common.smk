# Config validation first (nothing runs on a bad config), then paths, wildcards and the
# input/params functions that rules call by name.
import dataclasses
import functools
import os
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from xuanyuan.config import (
    check_semantics,
    coerce_scalar_text,
    explain_schema_errors,
    format_problems,
    load_yaml,
    locate,
    merged_profile,
    overlay_schema_defaults,
)
from xuanyuan.dedup import band_groups, lsh_params
from xuanyuan.errors import UserError
from xuanyuan.sources import check_source_paths, files_for_shard, list_source_files, shard_names

SCHEMA = str(Path(workflow.basedir) / "config" / "schema.yaml")
CONFIG_FILES = [str(path) for path in workflow.configfiles] or ["config/config.yaml"]


def _stop_on_bad_config(problems):
    # A user's mistake gets a message naming key, file and fix, not a traceback.
    print(format_problems(problems), file=sys.stderr)
    sys.exit(1)


coerce_scalar_text(config, load_yaml(SCHEMA))  # `lr: 1e-4` is a number, as the user meant
try:
    validate(config, SCHEMA)
except WorkflowError:
    _stop_on_bad_config(explain_schema_errors(config, SCHEMA, CONFIG_FILES) or ["schema validation failed"])
overlay_schema_defaults(config, SCHEMA)
_problems = check_semantics(config, CONFIG_FILES)
if _problems:
    _stop_on_bad_config(_problems)

WORK = config["paths"]["work"]
RESULTS = config["paths"]["results"]
LOGS = config["paths"]["logs"]
BENCH = config["paths"]["benchmarks"]
# By name, not in the config file's order: every aggregate (global dedup, the quality model's training
# data, the tokenized phases' concatenation) reads its shards in this order, so moving a source in
# the YAML changes no output and reruns nothing.
SOURCES = dict(sorted(config["sources"].items()))
RAW_MANIFEST = f"{WORK}/raw/MANIFEST.json"
GROUND_TRUTH = f"{WORK}/raw/ground_truth.jsonl"
CORPUS_IS_GENERATED = any(source["generated"] for source in SOURCES.values())


def _unmatched_source_paths():
    # A glob that matches nothing would run every stage on an empty source and report success.
    # Generated sources are written by generate_corpus, later.
    loaded = [(name, load_yaml(name) or {}) for name in CONFIG_FILES if Path(name).exists()]
    problems = []
    for name, source in SOURCES.items():
        if source["generated"]:
            continue
        try:
            check_source_paths(name, source["paths"], where=locate(["sources", name, "paths"], loaded))
        except UserError as error:
            problems.append(str(error))
    return problems


_problems = _unmatched_source_paths()
if _problems:
    _stop_on_bad_config(_problems)


# Data stages in order; each writes per shard: kept records, ledger, stats (the funnel sums them).
DATA_STAGES = ["extract", "clean", "dedup_local", "dedup_global", "quality"]


wildcard_constraints:
    source="|".join(SOURCES),
    shard=r"\d+",
    stage="dedup_local|dedup_global",
    band_job=r"\d+",


def canonical(value):
    """A config value with mapping keys sorted at every level.

    Snakemake compares params as written, so without this, reordering keys in a YAML file
    (which changes nothing) would make every job that takes a mapping param rerun.
    """
    if isinstance(value, dict):
        return {key: canonical(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [canonical(item) for item in value]
    return value


def _directory_holding(paths, levels_up):
    # os.path.dirname, not Path.parent: no normalization, so a script gets the very string the
    # param held when it was spelled out in the rule.
    paths = [paths] if isinstance(paths, str) else list(paths)
    for _ in range(levels_up):
        paths = [os.path.dirname(path) for path in paths]
    directories = sorted(set(paths))
    if len(directories) > 1:
        raise WorkflowError(f"expected files in one directory, got them in {', '.join(directories)}")
    return directories[0] if directories else None


# Params that name a directory or prefix of a job's own files are derived from those files, so a
# script opens the paths Snakemake resolved (also under a storage plugin, without a shared file
# system) and the layout is written once, in the input or output. Snakemake leaves such params out
# of its params-changed record: a change to them shows up as a changed input or output instead.
def input_dir(key, levels_up=1):
    """Params function: the directory holding the named input (one file or a list in one directory);
    `levels_up=2` gives its parent. None when the job has no such input."""
    return lambda wildcards, input: _directory_holding(getattr(input, key), levels_up)


def output_dir(key, levels_up=1):
    """Params function: the directory holding the named output, as input_dir does for an input."""
    return lambda wildcards, output: _directory_holding(getattr(output, key), levels_up)


def input_prefix(key):
    """Params function: the named input without its extension, e.g. an indexed dataset's .bin -> its prefix."""
    return lambda wildcards, input: os.path.splitext(getattr(input, key))[0]


def output_prefix(key):
    """Params function: the named output without its extension."""
    return lambda wildcards, output: os.path.splitext(getattr(output, key))[0]


def shards_of(source):
    return shard_names(SOURCES[source]["shards"])


# Dedup: bands x rows follow from the threshold; the bands are dealt to `band_jobs` jobs.
DEDUP = config["dedup"]
LSH = lsh_params(DEDUP["threshold"], DEDUP["num_perm"], fp_weight=DEDUP["fp_weight"], fn_weight=DEDUP["fn_weight"])
BAND_GROUPS = band_groups(LSH.bands, min(DEDUP["band_jobs"], LSH.bands))
BAND_JOBS = [str(index) for index in range(len(BAND_GROUPS))]
# Every band and cluster job must see the shards in this one order: pair indices refer to it.
SIGNATURE_PREFIXES = sorted(
    f"{WORK}/dedup/signatures/{source}/{shard}" for source in SOURCES for shard in shards_of(source)
)
SIGNATURE_FILES = [prefix + suffix for prefix in SIGNATURE_PREFIXES for suffix in (".sig.npy", ".docs.json")]
DEDUP_INPUT_STAGE = {"dedup_local": "clean", "dedup_global": "dedup_local"}


def dedup_group_key(stage):
    """Stage 1 buckets within a category (source or kind); stage 2 across all."""
    return DEDUP["local_key"] if stage == "dedup_local" else None


def dedup_excluded(stage):
    """Stage 2 does not see what stage 1 dropped."""
    return [] if stage == "dedup_local" else [f"{WORK}/dedup/dedup_local/dropped.jsonl.zst"]


def stage_outputs(stage, suffix):
    """Per-shard files of one data stage over every source, e.g. all clean stats files."""
    return [f"{WORK}/{stage}/{source}/{shard}{suffix}" for source in SOURCES for shard in shards_of(source)]


@functools.lru_cache(maxsize=None)
def _raw_files(source_name):
    # One listing per source and DAG build, not one per shard job.
    return list_source_files(SOURCES[source_name]["paths"])


def raw_files_of_shard(wildcards):
    """Inputs of one extraction job: the generator's manifest, or the real files of the shard."""
    source = SOURCES[wildcards.source]
    if source["generated"]:
        return [RAW_MANIFEST]
    files = _raw_files(wildcards.source)
    return [path for path, _ in files_for_shard(files, int(wildcards.shard), source["shards"])]


def source_settings(wildcards):
    return canonical(SOURCES[wildcards.source])


def clean_profile_for(wildcards):
    return canonical(merged_profile(config, wildcards.source))


def final_targets():
    targets = [
        f"{RESULTS}/data_funnel.md",
        f"{RESULTS}/data_funnel.csv",
        f"{RESULTS}/data_funnel.png",
        f"{RESULTS}/quality.md",
        f"{RESULTS}/quality.csv",
        f"{RESULTS}/mix.md",
        f"{RESULTS}/mix.csv",
        f"{RESULTS}/tokenizer.md",
        f"{RESULTS}/tokenizer.csv",
        *tokenized_phases(".bin"),
        *tokenized_phases(".idx"),
        f"{RESULTS}/pretrain.md",
        f"{RESULTS}/perplexity.md",
        f"{RESULTS}/sft.md",
        f"{RESULTS}/quantize.md",
        f"{RESULTS}/eval.md",
    ]
    if CORPUS_IS_GENERATED:
        targets += [
            f"{RESULTS}/cleaning_eval.md",
            f"{RESULTS}/cleaning_eval.csv",
            f"{RESULTS}/extraction_eval.md",
            f"{RESULTS}/dedup_eval.md",
            f"{RESULTS}/dedup_eval.csv",
        ]
    return targets
