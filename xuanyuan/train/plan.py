"""What each training stage of a config will cost, before anything is submitted: tokens, FLOPs, days on
its GPUs, SLURM jobs of `runtime` and the retries that allows, and checkpoint disk.

`python -m xuanyuan plan [CONFIG ...] [--peak-tflops T] [--mfu M]`

A 70B stage runs for weeks, a SLURM job for a day or two: the stage goes on over many jobs, each
resuming from the last checkpoint (docs/cluster.md). Snakemake submits a job again only `retries`
times, so a stage needing more jobs than `retries` + 1 stops part-way. This puts that arithmetic,
usually done in a spreadsheet, next to the config it depends on.

The time is an estimate at an assumed MFU (the FLOP formula of the trainer's own MFU, so a running
stage's logged MFU says how good the assumption was). The checkpoint sizes are DeepSpeed's, per
parameter, measured on this trainer's checkpoints (tests/train/test_plan.py).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from xuanyuan.cluster.resources import group_settings
from xuanyuan.train.flops import PEAK_TFLOPS, flops_per_token
from xuanyuan.train.job import SFT_STAGE_KEYS, sft_train_section
from xuanyuan.train.settings import train_settings

DEFAULT_MFU = 0.4
"""MFU assumed when none is given: below the 57% of one H200 on one 70B slice (docs/pretrain.md), for
ZeRO-3 across nodes and activation recomputation, which the formula does not count."""
PLANNING_GPU = "H100"
"""Whose datasheet peak is assumed when neither --peak-tflops nor pretrain.peak_tflops says."""
PROFILE = Path(__file__).resolve().parents[2] / "profiles" / "slurm" / "config.yaml"


def checkpoint_bytes_per_param(zero_stage: int, precision: str) -> int:
    """Bytes per parameter of one DeepSpeed checkpoint of the trainer, all ranks' files together.

    AdamW's two fp32 moments (8) and an fp32 copy of the weights (4) are in every one. ZeRO 0-2 also save
    the module's weights (`mp_rank_00_model_states.pt`): in bf16 (2) under DeepSpeed bf16, else in fp32 (4),
    which without ZeRO is the optimizer's weights themselves. ZeRO-3's module file holds no weights."""
    if zero_stage == 3:
        return 12
    if zero_stage == 0:
        return 12
    return 14 if precision == "bf16" else 16


@dataclass(frozen=True)
class StagePlan:
    stage: str
    group: str
    ranks: int
    global_batch: int
    seq_length: int
    steps: int
    params: int | None
    flops_per_token: float | None
    runtime_minutes: int
    retries: int
    checkpoint_bytes: int | None
    keep_checkpoints: int
    vocab_estimated: bool = False
    """the vocabulary is base + tokenizer.add_chars (the tokenizer not built yet): sizes are upper bounds"""
    hours: float | None = None

    @property
    def tokens(self) -> int:
        return self.steps * self.global_batch * self.seq_length

    @property
    def flops(self) -> float | None:
        return None if self.flops_per_token is None else self.flops_per_token * self.tokens

    @property
    def jobs(self) -> int | None:
        """SLURM jobs of `runtime` the stage needs at least (each also loads a checkpoint and waits in the queue)."""
        return None if self.hours is None else max(1, math.ceil(self.hours * 60 / self.runtime_minutes))

    @property
    def fits(self) -> bool:
        return self.jobs is None or self.jobs <= self.retries + 1


def profile_retries(profile: Path = PROFILE) -> int:
    """`retries` of the SLURM profile (0 when it sets none)."""
    if not profile.is_file():
        return 0
    return int((yaml.safe_load(profile.read_text(encoding="utf-8")) or {}).get("retries") or 0)


def _expanded_vocab(config: dict[str, Any], base_vocab: int) -> tuple[int, bool]:
    """Rows after the resize, and whether that is an upper bound: the built tokenizer's, when the workspace
    has it, else base + at most `tokenizer.add_chars`, padded as the tokenizer stage pads."""
    from xuanyuan.tokenizer import METADATA_FILE
    from xuanyuan.train.resize import load_expansion

    built = Path(config["paths"]["models"]) / "tokenizer"
    if (built / METADATA_FILE).is_file():
        return int(load_expansion(built)["padded_vocab_size"]), False
    tokenizer = config["tokenizer"]
    multiple = tokenizer["pad_vocab_multiple"]
    return math.ceil((base_vocab + tokenizer["add_chars"]) / multiple) * multiple, True


def stage_model_config(config: dict[str, Any], stage: str):
    """The LlamaConfig `stage` trains (the base's, resized for every stage after the stand-in) and whether its
    vocabulary is an upper bound (the tokenizer not built yet), or (None, False) when `model.path` is not
    readable here."""
    from xuanyuan.train.model import model_config, standin_config
    from xuanyuan.train.settings import model_settings

    settings = model_settings(config["model"])
    if config["model"]["path"] is None:
        base = standin_config(settings.standin, config["tokenizer"]["standin"]["vocab_size"])
    elif (Path(config["model"]["path"]) / "config.json").is_file():
        base = model_config(config["model"]["path"], settings.context)
    else:
        return None, False
    estimated = False
    if stage != "base_standin":
        base.vocab_size, estimated = _expanded_vocab(config, base.vocab_size)
    return base, estimated


def count_model(model_cfg) -> dict[str, int]:
    """Parameter counts of a Llama of `model_cfg`, built on the meta device (no memory)."""
    import torch
    from transformers import LlamaForCausalLM

    from xuanyuan.train.model import count_parameters

    with torch.device("meta"):
        return count_parameters(LlamaForCausalLM(model_cfg))


def _stages(config: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(stage, resource group, the `pretrain`-shaped settings it trains with) of every training stage."""
    stages = [(name, "pretrain", config["pretrain"]) for name in ("base_standin", "stage1", "stage2")
              if name != "base_standin" or config["model"]["path"] is None]
    return stages + [(name, "sft", sft_train_section(config, name)) for name in SFT_STAGE_KEYS]


def plan_training(config: dict[str, Any], *, peak_tflops: float | None = None, mfu: float = DEFAULT_MFU,
                  retries_default: int | None = None) -> list[StagePlan]:
    """The plan of every training stage of a validated, defaults-filled `config`. `peak_tflops`: per GPU;
    None = pretrain.peak_tflops, else the datasheet of PLANNING_GPU. A CPU group gets no time unless
    `peak_tflops` is given."""
    retries_default = profile_retries() if retries_default is None else retries_default
    plans = []
    # Every stage after the stand-in trains the same resized model: read and count it once.
    models: dict[bool, tuple] = {}
    for stage, group, train in _stages(config):
        settings = train_settings(train)
        schedule = settings.stage(stage)
        resources = group_settings(config["resources"], group)
        gpus = resources.get("gpus_per_node") or 0
        ranks = gpus * (resources.get("nodes") or 1) if gpus else settings.processes
        standin = stage == "base_standin"
        if standin not in models:
            model_cfg, estimated = stage_model_config(config, stage)
            models[standin] = (model_cfg, estimated, count_model(model_cfg) if model_cfg is not None else None)
        model_cfg, estimated, counts = models[standin]
        per_token = None if counts is None else flops_per_token(
            counts["non_embedding"], model_cfg.num_hidden_layers, model_cfg.hidden_size, schedule.seq_length)
        peak = peak_tflops or (settings.peak_tflops if gpus else None) or (
            PEAK_TFLOPS["bf16" if settings.precision != "fp32" else "fp32"][PLANNING_GPU] if gpus else None)
        plan = StagePlan(
            stage=stage, group=group, ranks=ranks,
            global_batch=schedule.micro_batch * schedule.grad_accum * ranks, seq_length=schedule.seq_length,
            steps=schedule.steps, params=None if counts is None else counts["total"], flops_per_token=per_token,
            runtime_minutes=resources["runtime"],
            retries=resources["retries"] if resources.get("retries") is not None else retries_default,
            checkpoint_bytes=None if counts is None else
            checkpoint_bytes_per_param(settings.zero_stage, settings.precision) * counts["total"],
            keep_checkpoints=settings.keep_checkpoints, vocab_estimated=estimated)
        if plan.flops is not None and peak:
            plan = dataclasses.replace(plan, hours=plan.flops / (ranks * peak * 1e12 * mfu) / 3600)
        plans.append(plan)
    return plans


def _size(count: float | None, unit: str = "") -> str:
    if count is None:
        return "-"
    for scale, suffix in ((1e21, "Z"), (1e18, "E"), (1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if count >= scale:
            return f"{count / scale:.3g} {suffix}{unit}"
    return f"{count:.3g} {unit}".strip()


def _duration(hours: float | None) -> str:
    if hours is None:
        return "-"
    return f"{hours / 24:.1f} days" if hours >= 48 else f"{hours:.1f} h"


def plan_markdown(plans: list[StagePlan], *, peak_tflops: float | None, mfu: float, model_readable: bool) -> str:
    """The plan as a markdown table with its assumptions and the stages that cannot finish in their retries."""
    from xuanyuan.tables import markdown_table

    rows = [[p.stage, p.ranks, f"{p.global_batch} x {p.seq_length}", p.steps, _size(p.tokens),
             ("<= " if p.vocab_estimated else "") + _size(p.params),
             _size(p.flops, "FLOP"), _duration(p.hours), f"{p.runtime_minutes / 60:g} h",
             "-" if p.jobs is None else p.jobs, p.retries, "yes" if p.fits else "NO",
             _size(p.checkpoint_bytes, "B"), _size(None if p.checkpoint_bytes is None else
                                                    p.checkpoint_bytes * (p.keep_checkpoints + 1), "B")]
             for p in plans]
    peak = f"{peak_tflops:g} TFLOP/s per GPU" if peak_tflops else (
        f"pretrain.peak_tflops, else the {PLANNING_GPU} datasheet ({PEAK_TFLOPS['bf16'][PLANNING_GPU]:g} bf16, "
        f"{PEAK_TFLOPS['fp32'][PLANNING_GPU]:g} fp32 TFLOP/s)")
    lines = [
        "# Training plan\n",
        f"Time = tokens x FLOPs per token / (ranks x peak x MFU), at MFU {mfu:g} (assumed; a running stage logs its "
        f"own) and {peak}. FLOPs per token as the trainer counts them: 6 x parameters without the input "
        "embedding + 12 x layers x hidden x sequence (activation recomputation not counted). Jobs: how many "
        "SLURM jobs of `runtime` the stage needs at least; it finishes only if jobs <= retries + 1 "
        "(resources.<group>.retries, else the profile's). Disk: one checkpoint, and the peak while a new one is "
        "written beside the kept ones (keep_checkpoints + 1); a universal-form conversion adds 16-18 B per "
        "parameter. `<=`: the vocabulary is taken as base + tokenizer.add_chars until the tokenizer is built "
        f"(then its size is read from {'{paths.models}'}/tokenizer).\n",
        markdown_table(["stage", "ranks", "batch (samples x tokens)", "steps", "tokens", "parameters", "FLOPs", "time",
                        "runtime", "jobs", "retries", "fits", "checkpoint", "checkpoint disk"], rows),
    ]
    if not model_readable:
        lines.append("\nmodel.path is not readable here: its stages have no parameters, FLOPs or time.\n")
    short = [p for p in plans if not p.fits]
    for p in short:
        lines.append(f"\n- {p.stage}: needs {p.jobs} jobs of {p.runtime_minutes / 60:g} h but may run "
                     f"{p.retries + 1}: set resources.{p.group}.retries to at least {p.jobs - 1} (more for queue "
                     "waits and failures), or raise resources."
                     f"{p.group}.runtime if the partition allows")
    return "\n".join(lines) + "\n"
