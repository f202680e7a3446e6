"""Config checks that turn schema violations into messages naming the key, the file and the fix.

Snakemake's `validate` (rules/common.smk) is the validator and fills the schema's defaults;
when it fails, `explain_schema_errors` lists *every* problem in words a user can act on,
and `check_semantics` adds the checks a JSON schema cannot express (a source names a
profile that exists, a profile names cleaning rules and parameters that exist).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Iterable

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError


class ConfigError(ValueError):
    """A user's config is wrong; the message says where and how to fix it."""


def load_yaml(path: str | Path) -> Any:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _dotted(path: Iterable[Any]) -> str:
    return ".".join(str(part) for part in path) or "(top level)"


_MISSING = object()


def _lookup(tree: Any, path: list[Any]) -> Any:
    for part in path:
        if not isinstance(tree, dict) or part not in tree:
            return _MISSING
        tree = tree[part]
    return tree


def locate(path: list[Any], config_files: list[tuple[str, Any]], value: Any = _MISSING) -> str:
    """The last config file that sets `path` (to `value`, when given); else the command line."""
    for name, content in reversed(config_files):
        found = _lookup(content, path)
        if found is not _MISSING and (value is _MISSING or found == value):
            return name
    return "the command line (--config)"


# JSON-schema type names in the words of a YAML file.
_TYPE_WORDS = {
    "object": "a mapping (key: value)",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "empty (null)",
}


def _describe_schema_type(schema: dict[str, Any]) -> str:
    if "enum" in schema:
        return "one of " + ", ".join(map(repr, schema["enum"]))
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    return " or ".join(_TYPE_WORDS.get(k, str(k)) for k in kinds if k) or "a valid value"


def _explain(error: ValidationError, config_files: list[tuple[str, Any]]) -> str:
    path = list(error.absolute_path)
    where = locate(path, config_files, error.instance)
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        unknown = sorted(set(error.instance) - set(allowed))
        key = _dotted(path + unknown[:1])
        where = locate(path + unknown[:1], config_files)
        listed = ", ".join(allowed) if allowed else "(no fixed keys here)"
        return f"{where}: unknown key '{key}'; allowed keys here: {listed}"
    if error.validator == "propertyNames":
        return f"{where}: '{_dotted(path)}' has a key that is not allowed: {error.message}"
    if error.validator == "required":
        return f"{where}: '{_dotted(path)}' is missing a required key: {error.message}"
    if error.validator in ("type", "enum"):
        return (
            f"{where}: '{_dotted(path)}' is {error.instance!r}; it must be {_describe_schema_type(error.schema)}"
        )
    if error.validator == "oneOf" and error.schema.get("description"):
        return f"{where}: '{_dotted(path)}' is {error.instance!r}; {error.schema['description'].strip()}"
    return f"{where}: '{_dotted(path)}': {error.message}"


def explain_schema_errors(config: dict[str, Any], schema_path: str | Path, config_files: list[str]) -> list[str]:
    """Every schema violation of `config`, one readable line each (empty when it is valid)."""
    schema = load_yaml(schema_path)
    loaded = [(name, load_yaml(name) or {}) for name in config_files if Path(name).exists()]
    validator = Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(copy.deepcopy(config)), key=lambda e: [str(p) for p in e.absolute_path])
    return [_explain(error, loaded) for error in errors]


def check_semantics(config: dict[str, Any], config_files: list[str]) -> list[str]:
    """Cross-key checks on a schema-valid config with defaults filled in."""
    from xuanyuan.clean.pipeline import validate_profile

    loaded = [(name, load_yaml(name) or {}) for name in config_files if Path(name).exists()]
    problems: list[str] = []
    profiles = config["clean"]["profiles"]
    for name, source in config["sources"].items():
        if source["profile"] not in profiles:
            where = locate(["sources", name, "profile"], loaded)
            problems.append(
                f"{where}: sources.{name}.profile is '{source['profile']}', which is not in clean.profiles "
                f"(defined: {', '.join(sorted(profiles))})"
            )
        if source["generated"] and name not in config["corpus"]["documents"]:
            where = locate(["sources", name, "generated"], loaded)
            problems.append(
                f"{where}: sources.{name} is generated but corpus.documents has no count for '{name}'; "
                "add one or set generated: false and point paths at real files"
            )
    for label, profile in [("clean.defaults", config["clean"]["defaults"])] + [
        (f"clean.profiles.{name}", profile) for name, profile in profiles.items()
    ]:
        for message in validate_profile(profile):
            where = locate(label.split("."), loaded)
            problems.append(f"{where}: {label}: {message}")
    return problems


def _overlay_rules(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """Rule settings of `top` over `base`: parameter mappings merge, anything else replaces."""
    merged = copy.deepcopy(base)
    for rule, setting in top.items():
        if isinstance(merged.get(rule), dict) and isinstance(setting, dict):
            merged[rule] = {**merged[rule], **setting}
        else:
            merged[rule] = copy.deepcopy(setting)
    return merged


def overlay_default_profiles(config: dict[str, Any], schema_path: str | Path) -> None:
    """Lay the config's clean.profiles over the schema's default profiles, in place.

    JSON-schema defaults only fill a missing key; without this, a config that tunes one
    threshold of one profile would silently lose every other default profile.
    """
    schema = load_yaml(schema_path)
    defaults = schema["properties"]["clean"]["properties"]["profiles"]["default"]
    profiles = config.setdefault("clean", {}).setdefault("profiles", {})
    for name, default_profile in defaults.items():
        profiles[name] = _overlay_rules(default_profile or {}, profiles.get(name) or {})


def merged_profile(config: dict[str, Any], source: str) -> dict[str, Any]:
    """The cleaning settings of one source: clean.defaults overlaid by its profile."""
    clean = config["clean"]
    profile = config["sources"][source]["profile"]
    return _overlay_rules(clean["defaults"], clean["profiles"][profile])


def format_problems(problems: list[str]) -> str:
    lines = "\n".join(f"  - {problem}" for problem in problems)
    return (
        f"The configuration is invalid ({len(problems)} problem{'s' if len(problems) != 1 else ''}); "
        f"no job was started:\n{lines}\nAllowed keys, types and defaults: config/schema.yaml."
    )
