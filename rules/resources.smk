# Scheduler resources per rule group, from the config's `resources:` section (one place to fit a
# cluster; docs/cluster.md). Rules write `threads: rule_threads("group")` and
# `resources: **rule_resources("group")`, training rules also `retries: rule_retries("group")`; a
# group's settings are resources.default with the group's keys laid over it, mapped to the SLURM
# executor plugin's names in xuanyuan.cluster.resources.
# (Bound with partial, not def: `snakemake --lint` wants no function definitions beside rules.)
from functools import partial

from xuanyuan.cluster.resources import resources_for, retries_for, threads_for

rule_threads = partial(threads_for, config["resources"])
rule_resources = partial(resources_for, config["resources"])
# A training group's `retries` (None: the profile's): a long stage resumes over many jobs of `runtime`.
rule_retries = partial(retries_for, config["resources"])
