"""Command line: `python -m xuanyuan <command>` (the pipeline itself runs through `snakemake`)."""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def check_config(files: list[str]) -> int:
    """Validate config files as the Snakefile does, without starting Snakemake."""
    _, problems = load_config(files)
    if problems:
        print(problems, file=sys.stderr)
        return 1
    print(f"{', '.join(files)}: valid")
    return 0


def load_config(files: list[str]) -> tuple[dict, str | None]:
    """The config of `files` as the Snakefile sees it (schema defaults filled), or the problems found in it."""
    from jsonschema import Draft202012Validator, validators

    from xuanyuan.config import (
        check_semantics,
        coerce_scalar_text,
        explain_schema_errors,
        format_problems,
        load_yaml,
        overlay_schema_defaults,
    )

    schema_path = REPO / "config" / "schema.yaml"
    from snakemake.utils import update_config

    config: dict = {}
    for name in files:  # later files override earlier ones, deeply, as with --configfile
        update_config(config, load_yaml(name) or {})
    schema = load_yaml(schema_path)
    coerce_scalar_text(config, schema)
    problems = explain_schema_errors(config, schema_path, files)
    if not problems:
        filling = validators.extend(Draft202012Validator, {"properties": _fill_defaults(Draft202012Validator)})
        filled = copy.deepcopy(config)
        filling(schema).validate(filled)
        overlay_schema_defaults(filled, schema_path)
        problems = check_semantics(filled, files)
    if problems:
        return config, format_problems(problems).replace("no job was started", "nothing was run")
    return filled, None


def plan(args: argparse.Namespace) -> int:
    """Print the training plan of a config (xuanyuan.train.plan); exit 1 when a stage cannot finish in its retries."""
    from xuanyuan.train.plan import DEFAULT_MFU, plan_markdown, plan_training

    default = REPO / "config" / "config.yaml"
    # Laid over config/config.yaml as the Snakefile lays --configfile over it.
    files = [str(default)] + [name for name in args.files if Path(name).resolve() != default.resolve()]
    config, problems = load_config(files)
    if problems:
        print(problems, file=sys.stderr)
        return 1
    mfu = args.mfu if args.mfu is not None else DEFAULT_MFU
    plans = plan_training(config, peak_tflops=args.peak_tflops, mfu=mfu)
    print(plan_markdown(plans, peak_tflops=args.peak_tflops, mfu=mfu,
                        model_readable=all(p.params is not None for p in plans)), end="")
    return 0 if all(p.fits for p in plans) else 1


def _fill_defaults(validator_class):
    validate_properties = validator_class.VALIDATORS["properties"]

    def fill(validator, properties, instance, schema):
        for name, subschema in properties.items():
            if isinstance(instance, dict) and "default" in subschema:
                instance.setdefault(name, copy.deepcopy(subschema["default"]))
        yield from validate_properties(validator, properties, instance, schema)

    return fill


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="xuanyuan", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check-config", help="validate config files against config/schema.yaml")
    check.add_argument("files", nargs="*", default=[str(REPO / "config" / "config.yaml")])
    commands.add_parser("rules", help="print the cleaning-rule registry as a markdown table")
    planner = commands.add_parser(
        "plan", help="tokens, FLOPs, days, SLURM jobs and checkpoint disk of each training stage of a config "
                     "(exit 1 when a stage needs more jobs than its retries)")
    planner.add_argument("files", nargs="*", default=[], help="config files laid over config/config.yaml, as with "
                                                                "snakemake --configfile")
    planner.add_argument("--peak-tflops", type=float, default=None,
                         help="peak TFLOP/s of one GPU (default: pretrain.peak_tflops, else the H100 datasheet)")
    planner.add_argument("--mfu", type=float, default=None, help="model FLOPs utilisation to assume (default 0.4)")
    from xuanyuan.chat import cli as chat_cli

    chat_cli.add_arguments(commands.add_parser("chat", help="talk to a model directory in the released chat format"))
    args = parser.parse_args(argv)
    if args.command == "check-config":
        return check_config(args.files)
    if args.command == "plan":
        return plan(args)
    if args.command == "chat":
        from xuanyuan.errors import UserError

        try:
            return chat_cli.run(args)
        except UserError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    from xuanyuan.clean.registry import rules_markdown

    print(rules_markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
