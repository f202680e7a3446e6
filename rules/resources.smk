# Scheduler resources per rule group, from the config's `resources:` section (one place to fit a
# cluster). Rules write `threads: rule_threads("group")` and `resources: **rule_resources("group")`.


def resources_of(group):
    """The config's settings of a rule group, falling back to resources.default."""
    return config["resources"].get(group) or config["resources"]["default"]


def rule_threads(group):
    return resources_of(group)["threads"]


def rule_resources(group):
    """The `resources:` of a rule of `group` (memory in MB, runtime in minutes)."""
    settings = resources_of(group)
    return {"mem_mb": settings["mem_mb"], "runtime": settings["runtime"]}
