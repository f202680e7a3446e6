"""Config checks that turn schema violations into messages naming the key, the file and the fix.

Snakemake's `validate` (rules/common.smk) is the validator and fills the schema's defaults;
when it fails, `explain_schema_errors` lists *every* problem in words a user can act on,
`overlay_schema_defaults` completes the mappings a config gives in part (profiles, training
stages, perplexity goals), and `check_semantics` adds the checks a JSON schema cannot express (a
source names a profile that exists, a profile names cleaning rules and parameters that exist, a
variant, a benchmark or a keyword file exists, a stage fits the model's positions), so that
`python -m xuanyuan check-config` and Snakemake stop on the same problems before any job starts.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any, Iterable

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from xuanyuan.train.deepspeed_config import precision_problems, refused_overrides
from xuanyuan.train.job import SFT_STAGE_KEYS


class ConfigError(ValueError):
    """A user's config is wrong; the message says where and how to fix it."""


# libyaml's loader when PyYAML was built with it: the same documents as SafeLoader, ~8x faster on
# config/schema.yaml (33 vs 253 ms), which every Snakefile parse reads several times.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: str | Path) -> Any:
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_SAFE_LOADER)


# Numbers and booleans that arrive as text. PyYAML follows YAML 1.1, where `1e-4` (no dot) is a
# string, yet `lr: 1e-4` is how most training configs write a learning rate; and Snakemake's
# `--config a='{b: 1}'` reads nested values with YAML's BaseLoader, every scalar a string.
_FLOAT_TEXT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_INT_TEXT = re.compile(r"^[+-]?\d+$")
_BOOL_TEXT = {"true": True, "false": False}


def _resolve_ref(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while isinstance(schema, dict) and "$ref" in schema and schema["$ref"].startswith("#/"):
        target: Any = root
        for part in schema["$ref"][2:].split("/"):
            target = target[part]
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def _scalar_from_text(value: str, types: set[str]) -> Any:
    if "string" in types:
        return value
    if "integer" in types and _INT_TEXT.match(value):
        return int(value)
    if "number" in types and _FLOAT_TEXT.match(value):
        number = float(value)
        return int(number) if _INT_TEXT.match(value) else number
    if "boolean" in types and value.lower() in _BOOL_TEXT:
        return _BOOL_TEXT[value.lower()]
    return value


def coerce_scalar_text(config: Any, schema: dict[str, Any], root: dict[str, Any] | None = None) -> Any:
    """`config` with text that spells a number or boolean converted where the schema asks for one.

    Only where the schema's type is number, integer or boolean and not string, and only text that
    is a plain literal (`1e-4`, `8192`, `true`); anything else is left for validation to report.
    Mappings and lists are updated in place; the (possibly new) value is returned.
    """
    root = schema if root is None else root
    schema = _resolve_ref(schema, root)
    for part in schema.get("allOf", []):
        config = coerce_scalar_text(config, part, root)
    if isinstance(config, str):
        types = schema.get("type")
        types = {types} if isinstance(types, str) else set(types or [])
        return _scalar_from_text(config, types) if types else config
    if isinstance(config, dict):
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for key, value in config.items():
            child = properties.get(key, extra if isinstance(extra, dict) else None)
            if child is not None:
                config[key] = coerce_scalar_text(value, child, root)
    elif isinstance(config, list) and isinstance(schema.get("items"), dict):
        for index, value in enumerate(config):
            config[index] = coerce_scalar_text(value, schema["items"], root)
    return config


def _dotted(path: Iterable[Any]) -> str:
    """`mix.phases[0].tokens`: mapping keys joined by dots, list positions in brackets."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


_MISSING = object()


def _lookup(tree: Any, path: list[Any]) -> Any:
    for part in path:
        if isinstance(tree, dict) and part in tree:
            tree = tree[part]
        elif isinstance(tree, list) and isinstance(part, int) and 0 <= part < len(tree):
            tree = tree[part]
        else:
            return _MISSING
    return tree


COMMAND_LINE = "the command line (--config)"


def locate(path: list[Any], config_files: list[tuple[str, Any]], value: Any = _MISSING) -> str:
    """The last config file that sets `path` (to `value`, when given); else the command line."""
    for name, content in reversed(config_files):
        found = _lookup(content, path)
        if found is not _MISSING and (value is _MISSING or found == value):
            return name
    return COMMAND_LINE


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


# Keys that were once in the schema but never read, and where their intent is configured.
_REMOVED_KEYS = {
    ("run_name",): "it was never read; remove it",
    ("tokenize", "seq_length"): (
        "tokens per training sample are set per stage: pretrain.<stage>.seq_length and sft.stageN.train.seq_length"),
    ("tokenize", "seed"): "the order of training samples follows pretrain.seed",
}


def _explain_all(error: ValidationError, config_files: list[tuple[str, Any]]) -> list[str]:
    """One line per problem: an additionalProperties error lists each unknown key on its own line."""
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        path = list(error.absolute_path)
        allowed = sorted(error.schema.get("properties", {}))
        listed = ", ".join(allowed) if allowed else "(no fixed keys here)"
        lines = []
        for unknown in sorted(set(error.instance) - set(allowed), key=str):
            where = locate(path + [unknown], config_files)
            line = f"{where}: unknown key '{_dotted(path + [unknown])}'; allowed keys here: {listed}"
            hint = _REMOVED_KEYS.get(tuple(path + [unknown]))
            lines.append(f"{line} ({hint})" if hint else line)
        return lines
    return [_explain(error, config_files)]


def _explain(error: ValidationError, config_files: list[tuple[str, Any]]) -> str:
    path = list(error.absolute_path)
    where = locate(path, config_files, error.instance)
    if "propertyNames" in error.relative_schema_path:
        # The instance is a key of the mapping at `path` (jsonschema does not add it to the path).
        where = locate(path + [error.instance], config_files)
        if error.validator in ("type", "enum"):
            allowed = _describe_schema_type(error.schema)
        elif error.validator == "pattern":
            allowed = f"names matching {error.validator_value!r}"
        else:
            allowed = f"allowed ({error.message})"
        return f"{where}: '{_dotted(path)}' has the key {error.instance!r}; keys here must be {allowed}"
    if error.validator == "propertyNames":
        return f"{where}: '{_dotted(path)}' has a key that is not allowed: {error.message}"
    if error.validator == "required":
        return f"{where}: '{_dotted(path)}' is missing a required key: {error.message}"
    if error.validator in ("type", "enum"):
        return (
            f"{where}: '{_dotted(path)}' is {error.instance!r}; it must be {_describe_schema_type(error.schema)}"
        )
    if error.validator == "oneOf" and _only_required(error.validator_value) and isinstance(error.instance, dict):
        # e.g. a mix phase with both `tokens` and `chars`, or neither
        keys = [key for option in error.validator_value for key in option["required"]]
        given = [key for key in keys if key in error.instance]
        gives = " and ".join(given) if given else "neither " + " nor ".join(keys)
        return f"{where}: '{_dotted(path)}' gives {gives}; give exactly one of {' or '.join(keys)}"
    if error.validator == "oneOf" and error.schema.get("description"):
        return f"{where}: '{_dotted(path)}' is {error.instance!r}; {error.schema['description'].strip()}"
    return f"{where}: '{_dotted(path)}': {error.message}"


def _only_required(options: Any) -> bool:
    """A oneOf whose options only require one key each: 'exactly one of these keys'."""
    return isinstance(options, list) and all(
        isinstance(option, dict) and set(option) == {"required"} and len(option["required"]) == 1 for option in options
    )


def explain_schema_errors(config: dict[str, Any], schema_path: str | Path, config_files: list[str]) -> list[str]:
    """Every schema violation of `config`, one readable line each (empty when it is valid)."""
    schema = load_yaml(schema_path)
    loaded = [(name, load_yaml(name) or {}) for name in config_files if Path(name).exists()]
    validator = Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(copy.deepcopy(config)), key=lambda e: [str(p) for p in e.absolute_path])
    return [line for error in errors for line in _explain_all(error, loaded)]


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
    for keys, message in _stage_setting_problems(config):
        problems.append(f"{locate(keys, loaded)}: {message}")
    for candidates, message in _cross_key_problems(config):
        problems.append(f"{locate_first(candidates, loaded)}: {message}")
    return problems


def locate_first(candidates: list[list[Any]], config_files: list[tuple[str, Any]]) -> str:
    """The file of the first key path in `candidates` that some config file sets; else the command line.

    A problem between two keys (a stage's seq_length and the model's positions) is blamed on the one
    the user wrote, not on a default."""
    for path in candidates:
        where = locate(path, config_files)
        if where != COMMAND_LINE:
            return where
    return COMMAND_LINE


# The trained model variants of every run; quantize.variants adds the quantized ones.
TRAINED_VARIANTS = ("base", "stage1", "stage2", "sft1", "sft2")
PRETRAIN_STAGES = ("base_standin", "stage1", "stage2")


def model_variants(config: dict[str, Any]) -> list[str]:
    """Every model variant a run makes: the trained ones, then quantize.variants."""
    return list(TRAINED_VARIANTS) + [v for v in config["quantize"]["variants"] if v not in TRAINED_VARIANTS]


def check_keywords(quality: dict[str, Any]) -> str | None:
    """Why quality.keywords cannot be used for quality.categories, or None when it can."""
    from xuanyuan.quality.keywords import load_keywords

    path = quality["keywords"]
    try:
        load_keywords(path, quality["categories"])
    except OSError as error:
        reason = error.strerror or str(error)
        return (f"quality.keywords is '{path}', which cannot be read ({reason}: {error.filename or path}); "
                "point it at a YAML file of category -> {zh: [...], en: [...]} keyword lists "
                "(config/lexicons/harmful_keywords.yaml is the default)")
    except ValueError as error:
        return f"quality.keywords: {error}"
    return None


def _cross_key_problems(config: dict[str, Any]) -> list[tuple[list[list[Any]], str]]:
    """Checks between keys that the rules and jobs would otherwise make (or skip) later."""
    problems: list[tuple[list[list[Any]], str]] = []
    problems += _variant_problems(config)
    message = check_keywords(config["quality"])
    if message:
        problems.append(([["quality", "keywords"]], message))
    problems += _evaluate_problems(config)
    problems += _mix_problems(config)
    problems += _model_problems(config)
    pretrain = config["pretrain"]
    for message in refused_overrides(pretrain.get("deepspeed") or {}):
        problems.append(([["pretrain", "deepspeed"]], message))
    for message in precision_problems(pretrain.get("precision"), pretrain.get("zero_stage")):
        problems.append(([["pretrain", "zero_stage"], ["pretrain", "precision"]], message))
    every, log_every = pretrain["validation"]["every"], pretrain["log_every"]
    if every % log_every:
        problems.append(([["pretrain", "validation", "every"], ["pretrain", "log_every"]],
                         f"pretrain.validation.every ({every}) must be a multiple of pretrain.log_every ({log_every}): "
                         "the held-out perplexity is written into the metrics record of a logged step"))
    return problems


def _variant_problems(config: dict[str, Any]) -> list[tuple[list[list[Any]], str]]:
    problems = []
    source = config["quantize"]["source"]
    if source not in TRAINED_VARIANTS:
        problems.append(([["quantize", "source"]],
                         f"quantize.source is '{source}', which is not a trained model variant; "
                         f"use one of {', '.join(TRAINED_VARIANTS)}"))
    variants = model_variants(config)
    for section in ("evaluate", "generate"):
        chosen = config[section]["variants"] or []
        unknown = [v for v in chosen if v not in variants]
        if unknown:
            problems.append(([[section, "variants"]],
                             f"{section}.variants names {', '.join(repr(v) for v in unknown)}, which "
                             f"{'is not a model variant' if len(unknown) == 1 else 'are not model variants'} "
                             f"of this run; use some of {', '.join(variants)} (quantized ones come from "
                             "quantize.variants)"))
    return problems


def _evaluate_problems(config: dict[str, Any]) -> list[tuple[list[list[Any]], str]]:
    """evaluate.extra names no main benchmark; evaluate.subjects / evaluate.splits name benchmarks the
    run evaluates, once."""
    from xuanyuan.evaluate.layouts import LAYOUTS
    from xuanyuan.evaluate.settings import MAIN_BENCHMARKS

    evaluate = config["evaluate"]
    problems = []
    # A main benchmark's name would give two suites one folder and one record name; eval_settings
    # refuses it too, but only inside the eval_suite job, after the run has started.
    for name in evaluate["extra"]:
        if name in MAIN_BENCHMARKS:
            problems.append(([["evaluate", "extra", name]],
                             f"evaluate.extra has the key '{name}', which is the name of a main benchmark "
                             f"({', '.join(MAIN_BENCHMARKS)}); rename it (e.g. '{name}_extra'), or to use this "
                             f"folder for {name} itself set evaluate.data_dirs.{name}"))
    # The checks below then see only the extras that can run (no second message about the same key).
    extra = {name: value for name, value in evaluate["extra"].items() if name not in MAIN_BENCHMARKS}
    allowed = list(evaluate["benchmarks"]) + list(extra)
    listed = ", ".join(allowed) or "(none)"
    for key in ("subjects", "splits"):
        for name, value in evaluate[key].items():
            if name in allowed:
                own_key = "split" if key == "splits" else key  # what extra.<name> calls it
                own = extra.get(name, {}).get(own_key)
                if own is not None and own != value:
                    problems.append(([["evaluate", key, name], ["evaluate", "extra", name]],
                                     f"evaluate.{key}.{name} and evaluate.extra.{name}.{own_key} disagree; "
                                     "set it in one place"))
                continue
            if key == "splits" and name in MAIN_BENCHMARKS and value == LAYOUTS[name].default_split:
                continue  # the schema's default mapping for a benchmark this run does not evaluate
            problems.append(([["evaluate", key, name]],
                             f"evaluate.{key} has the key '{name}', which is not a benchmark this run evaluates; "
                             f"use one of {listed} (evaluate.benchmarks and the names under evaluate.extra)"))
    return problems


def _mix_problems(config: dict[str, Any]) -> list[tuple[list[list[Any]], str]]:
    from xuanyuan.mix.errors import MixError
    from xuanyuan.mix.phases import checked_phases

    try:
        checked_phases(config["mix"]["phases"])
    except MixError as error:
        return [([["mix", "phases"]], str(error))]
    return []


def _base_model_problems(path: str, base_tokenizer: str | None) -> list[tuple[list[list[Any]], str]]:
    """A given base that is readable here (a login node may not mount it; the jobs check again) must be a Llama
    with one embedding row per piece of `tokenizer.base_model` (the resize maps row i to piece i)."""
    config_file = Path(path) / "config.json"
    if not config_file.is_file():
        return []
    try:
        base = json.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        return [([["model", "path"]], f"model.path: {config_file} cannot be read as JSON ({error})")]
    if base.get("model_type") != "llama":
        return [([["model", "path"]], f"model.path: {config_file} says model_type {base.get('model_type')!r}; the "
                                      "trainer continues Llama models (LlamaForCausalLM): point it at a Llama-2 "
                                      "checkpoint directory")]
    if base_tokenizer is None or not Path(base_tokenizer).is_file() or "vocab_size" not in base:
        return []
    from xuanyuan.tokenizer import processor

    pieces = processor(base_tokenizer).get_piece_size()
    if pieces == base["vocab_size"]:
        return []
    return [([["tokenizer", "base_model"], ["model", "path"]],
             f"tokenizer.base_model ({base_tokenizer}) has {pieces} pieces and model.path's config.json vocab_size "
             f"{base['vocab_size']}: the base tokenizer must be the base checkpoint's own tokenizer.model")]


def _model_problems(config: dict[str, Any]) -> list[tuple[list[list[Any]], str]]:
    """The stand-in's shape, and every stage's seq_length against the positions known before any job."""
    model = config["model"]
    standin = model["standin"]
    problems = []
    is_standin = model["path"] is None
    if is_standin:
        hidden, heads, kv_heads = standin["hidden_size"], standin["num_heads"], standin["num_kv_heads"]
        keys = [["model", "standin", name] for name in ("hidden_size", "num_heads", "num_kv_heads")]
        if hidden % heads:
            problems.append((keys, f"model.standin.hidden_size ({hidden}) is not divisible by model.standin.num_heads "
                                   f"({heads}); each head gets hidden_size / num_heads dimensions"))
        elif (hidden // heads) % 2:
            problems.append((keys, f"model.standin.hidden_size / num_heads = {hidden // heads} dimensions per head; "
                                   "RoPE needs an even number: change hidden_size or num_heads"))
        if heads % kv_heads:
            problems.append((keys[1:][::-1], f"model.standin.num_heads ({heads}) is not divisible by "
                                             f"model.standin.num_kv_heads ({kv_heads}); grouped-query attention "
                                             "shares each key/value head among num_heads / num_kv_heads heads"))
    else:
        problems += _base_model_problems(model["path"], config["tokenizer"]["base_model"])
    context = model["context"]["max_position_embeddings"]
    # Complete stage dicts once overlay_schema_defaults has run; a partial one is skipped, not a KeyError.
    stages = [(["pretrain", stage, "seq_length"], (config["pretrain"].get(stage) or {}).get("seq_length"), stage)
              for stage in PRETRAIN_STAGES if is_standin or stage != "base_standin"]
    stages += [(["sft", key, "train", "seq_length"], (config["sft"][key].get("train") or {}).get("seq_length"), stage)
               for stage, key in SFT_STAGE_KEYS.items()]
    for keys, seq_length, stage in stages:
        if seq_length is None:
            continue
        # The stand-in is built with its own positions; the stages after it load it with model.context applied.
        if context is not None and stage != "base_standin":
            positions, where, fix = context, ["model", "context", "max_position_embeddings"], (
                f"raise model.context.max_position_embeddings to {seq_length} (with model.context.rope_theta or "
                "rope_linear_factor to extend RoPE, docs/pretrain.md)")
            owner = "model.context.max_position_embeddings"
        elif is_standin:
            positions, where = standin["max_position_embeddings"], ["model", "standin", "max_position_embeddings"]
            fix = f"raise model.standin.max_position_embeddings to {seq_length}"
            owner = "the stand-in (model.standin.max_position_embeddings)"
        else:
            continue  # a given base's positions are read from its config.json when the job starts
        if seq_length > positions:
            problems.append(([keys, where], f"{'.'.join(keys)} is {seq_length}, longer than the {positions} positions "
                                            f"of {owner}; {fix}, or shorten the stage's seq_length"))
    return problems


def _stage_setting_problems(config: dict[str, Any]) -> list[tuple[list[str], str]]:
    """Checks that stages make at job start, made here too so that a dry run reports them."""
    from xuanyuan.errors import UserError
    from xuanyuan.quality.passages import PassageSettings
    from xuanyuan.quality.windows import WindowSettings
    from xuanyuan.sft.settings import check_max_length

    problems = []
    quality = config["quality"]
    try:
        WindowSettings.from_config(quality["windows"]).check(quality["fasttext"]["max_chars"])
    except UserError as error:
        problems.append((["quality", "windows", "overlap"], str(error)))
    try:
        PassageSettings.from_config(quality["passages"]).check()
    except UserError as error:
        problems.append((["quality", "passages", "stride"], str(error)))
    from xuanyuan.train.settings import restarts

    schedules = [(["pretrain", stage], config["pretrain"].get(stage) or {}) for stage in PRETRAIN_STAGES]
    schedules += [(["sft", key, "train"], config["sft"][key].get("train") or {}) for key in SFT_STAGE_KEYS.values()]
    for keys, schedule in schedules:
        if schedule.get("restarts") and "steps" in schedule:
            try:
                restarts(".".join(keys), schedule["restarts"], schedule["steps"])
            except ValueError as error:
                problems.append(([*keys, "restarts"], str(error)))
    sft = config["sft"]
    for stage, key in (("sft1", "stage1"), ("sft2", "stage2")):
        seq_length = (sft[key].get("train") or {}).get("seq_length")
        try:
            if seq_length is not None:
                check_max_length(sft.get("max_length"), stage, seq_length)
        except UserError as error:
            problems.append((["sft", "max_length"], str(error)))
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


def overlay_schema_defaults(config: dict[str, Any], schema_path: str | Path) -> None:
    """Lay the mappings a config gives in part over the schema's defaults, in place.

    JSON-schema defaults only fill a missing key: a config that sets one key of a training stage
    (`sft: {stage2: {train: {lr: 1.0e-4}}}`) or one perplexity goal would otherwise lose the
    stage's other settings or the other goals. Covered: clean.profiles (rule by rule), every
    training stage (pretrain.<stage>, sft.stageN.train) and quantize.perplexity_goals, so rules and
    jobs see complete mappings whose defaults come from config/schema.yaml alone.
    """
    overlay_default_profiles(config, schema_path)
    properties = load_yaml(schema_path)["properties"]
    pretrain = config.setdefault("pretrain", {})
    for stage in PRETRAIN_STAGES:
        default = properties["pretrain"]["properties"][stage]["default"]
        pretrain[stage] = {**default, **(pretrain.get(stage) or {})}
    sft = config.setdefault("sft", {})
    for key in SFT_STAGE_KEYS.values():
        default = properties["sft"]["properties"][key]["properties"]["train"]["default"]
        section = sft.setdefault(key, {})
        section["train"] = {**default, **(section.get("train") or {})}
    quantize = config.setdefault("quantize", {})
    default_goals = properties["quantize"]["properties"]["perplexity_goals"]["default"]
    quantize["perplexity_goals"] = {**default_goals, **(quantize.get("perplexity_goals") or {})}


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
