"""Rule resources from the config's `resources:` section (docs/cluster.md).

Every rule names a group (`rule_resources("pretrain")` in rules/resources.smk). A group's settings
are `resources.default` with the group's own keys laid over it, so one line fits a whole cluster.
The Snakemake resource names are those of snakemake-executor-plugin-slurm; keys the config leaves
unset are not emitted, so a local run sees only threads, mem_mb and runtime.
"""

from __future__ import annotations

from typing import Any

SLURM_PASSTHROUGH = ("slurm_partition", "slurm_account", "slurm_extra")


def group_settings(resources: dict[str, Any], group: str) -> dict[str, Any]:
    """The settings of rule group `group`: resources.default, then the group's own keys."""
    if group not in resources:
        known = ", ".join(sorted(name for name in resources if name != "default"))
        raise ValueError(f"rule resource group {group!r} is not in config/schema.yaml's `resources` "
                         f"(known: {known}); add it there with its defaults")
    return {**resources["default"], **resources[group]}


def group_threads(settings: dict[str, Any]) -> int:
    """Cores per node: `threads`, or cpus_per_gpu x gpus_per_node when both are set."""
    gpus = settings.get("gpus_per_node") or 0
    if gpus and settings.get("cpus_per_gpu"):
        return settings["cpus_per_gpu"] * gpus
    return settings["threads"]


def scheduler_resources(settings: dict[str, Any]) -> dict[str, Any]:
    """Snakemake `resources:` of a rule with these settings (memory in MB per node, runtime in minutes)."""
    resources: dict[str, Any] = {"mem_mb": settings["mem_mb"], "runtime": settings["runtime"]}
    for key in SLURM_PASSTHROUGH:
        if settings.get(key) is not None:
            resources[key] = settings[key]
    gpus = settings.get("gpus_per_node") or 0
    if gpus:
        # gres counts GPUs per node; the plugin's `gpu` becomes --gpus, a job total that SLURM may
        # spread unevenly over the nodes.
        resources["gres"] = f"gpu:{gpus}"
        # Without this the plugin turns `tasks` (one per node, below) into --ntasks-per-gpu.
        resources["tasks_per_gpu"] = 0
        if settings.get("cpus_per_gpu"):
            resources["cpus_per_gpu"] = settings["cpus_per_gpu"]
    nodes = settings.get("nodes") or 1
    if nodes > 1:
        # One task per node, and `mpi` so that the job's script runs once and calls srun itself
        # (xuanyuan.train.launch starts one torchrun per node); threads become --cpus-per-task.
        resources.update(nodes=nodes, tasks=nodes, mpi="srun")
    return resources


def gpus_of(resources: Any) -> int:
    """GPUs per node that `scheduler_resources` asked for (0 when none), read back from a job's resources."""
    gres = _get(resources, "gres")
    if not gres or not str(gres).startswith("gpu:"):
        return 0
    return int(str(gres).rsplit(":", 1)[1])


def nodes_of(resources: Any) -> int:
    """Nodes of the job (1 unless the group asks for more)."""
    return int(_get(resources, "nodes") or 1)


def _get(resources: Any, key: str) -> Any:
    # Snakemake hands scripts a namedlist; tests hand a dict.
    if isinstance(resources, dict):
        return resources.get(key)
    return getattr(resources, key, None)


def threads_for(resources: dict[str, Any], group: str) -> int:
    """`threads:` of a rule of `group` (rules/resources.smk binds the config's `resources`)."""
    return group_threads(group_settings(resources, group))


def resources_for(resources: dict[str, Any], group: str) -> dict[str, Any]:
    """`resources:` of a rule of `group`."""
    return scheduler_resources(group_settings(resources, group))


def retries_for(resources: dict[str, Any], group: str) -> int | None:
    """`retries:` of a rule of `group`: resources.<group>.retries, or None for the profile's (`--retries`)."""
    return group_settings(resources, group).get("retries")
