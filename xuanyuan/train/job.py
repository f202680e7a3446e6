"""A training job: everything one run of the trainer needs, as plain JSON (handed to torchrun workers)."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


# Which settings a training job's result depends on. The rules give each job only these as its
# params, and `stages.launch` fingerprints only these, so an edit to anything else neither reruns
# a job nor wipes its checkpoints (docs/cluster.md, "What reruns when").
WEIGHT_KEYS = ("zero_stage", "precision", "grad_clip", "weight_decay", "betas", "eps", "scheduler", "seed",
               "processes", "deterministic", "export_dtype", "deepspeed")
"""`pretrain` keys that change the trained weights or the losses of every stage (with the `model` section and
the stage's own schedule). `processes` is the data-parallel world size on CPU, so it changes the batch.
`deepspeed` (extra engine keys) counts as one: most of its keys only tune communication, but some
(communication_data_type, bf16 settings) change the numbers, and retraining is the safe side."""
RESIZE_KEYS = ("pad_rows",)
"""`pretrain` keys read only by the stage that resizes the vocabulary (stage 1)."""
RUN_ONLY_KEYS = ("log_every", "checkpoint_every", "keep_checkpoints", "resume_across_world_sizes", "peak_tflops",
                 "perplexity", "activation_checkpointing", "spikes", "validation")
"""`pretrain` keys that change no weight and no loss: how often metrics are logged and checkpoints kept
(resume is exact), whether a checkpoint may resume at another number of ranks (the global batch is
kept), the MFU denominator, the perplexity tables (rules/perplexity.smk), and activation
checkpointing (the recomputed forward is the same computation: equal losses, tested), when a step counts
as a loss spike (a warning, and which checkpoints are kept), and the held-out evaluation during a stage. A job reads them
from the config when it runs; editing them reruns nothing, so a finished job's metrics file and the settings
recorded in its xuanyuan_train.json keep the values it ran with."""
SFT_STAGE_KEYS = {"sft1": "stage1", "sft2": "stage2"}


def training_subset(config: dict[str, Any], stage: str) -> dict[str, Any]:
    """What the result of training `stage` depends on: the `model` section, WEIGHT_KEYS (RESIZE_KEYS for
    stage 1) and the stage's own schedule (`pretrain.<stage>`, or `sft.<stage1|stage2>.train` for SFT)."""
    pretrain = dict(config.get("pretrain") or {})
    keys = WEIGHT_KEYS + (RESIZE_KEYS if stage == "stage1" else ())
    subset: dict[str, Any] = {"model": dict(config.get("model") or {}),
                              "pretrain": {key: pretrain[key] for key in keys if key in pretrain}}
    if stage in SFT_STAGE_KEYS:
        key = SFT_STAGE_KEYS[stage]
        subset["sft"] = {key: {"train": dict(config["sft"][key]["train"])}}
    elif stage in pretrain:
        subset["pretrain"][stage] = pretrain[stage]
    return subset


def job_config(config: dict[str, Any], subset: dict[str, Any]) -> dict[str, Any]:
    """The config a training job runs with: `subset` (training_subset, the rule's param) laid over `config`.

    Everything the weights depend on comes from `subset`, so Snakemake reruns the job when it changes;
    the rest (RUN_ONLY_KEYS, other stages' schedules) from `config`, for the trainer and its records.
    """
    merged = {"model": dict(subset["model"]),
              "pretrain": {**dict(config.get("pretrain") or {}), **dict(subset["pretrain"])}}
    if "sft" in subset:
        merged["sft"] = {**dict(config.get("sft") or {}), **dict(subset["sft"])}
    return merged


def fingerprint_settings(job: "TrainJob") -> dict[str, Any]:
    """The part of `job`'s settings its checkpoints are valid for (the same keys as training_subset)."""
    keys = WEIGHT_KEYS + (RESIZE_KEYS if job.resize_tokenizer is not None else ())
    train = {key: job.train[key] for key in keys if key in job.train}
    if job.stage in job.train:
        train[job.stage] = job.train[job.stage]
    return {"model": job.model, "train": train}


@dataclass
class TrainJob:
    stage: str
    """base_standin | stage1 | stage2 | sft1 | sft2: which stage settings apply."""
    data: list[tuple[str, list[str]]]
    """curriculum: [(phase name, [.bin/.idx prefix, ...]), ...] (empty for SFT)."""
    out_dir: str
    """the exported Hugging Face model directory (the rule's output)."""
    checkpoint_dir: str
    """training checkpoints; keep it outside out_dir so a failed job's outputs can be deleted."""
    metrics_path: str
    """JSONL metrics file."""
    tokenizer_dir: str
    """tokenizer files copied into the export."""
    init_model: str | None = None
    """Hugging Face directory to start from; None = a fresh stand-in of `vocab_size` rows."""
    vocab_size: int | None = None
    resize_tokenizer: str | None = None
    """expanded tokenizer directory: resize the init model's vocabulary to it first (stage 1)."""
    base_tokenizer: str | None = None
    """base tokenizer.model for the resize; None = the path recorded in the tokenizer metadata."""
    tensorboard_dir: str | None = None
    model: dict[str, Any] = field(default_factory=dict)
    """the `model` config section."""
    train: dict[str, Any] = field(default_factory=dict)
    """the `pretrain` config section."""
    sft_rows: str | None = None
    """SFT: a directory of packed rows (xuanyuan/sft/rows.py) trained on instead of `data`."""
    eval_samples: int = 2
    """samples of the first data phase evaluated at the end (recorded in the export's xuanyuan_train.json)."""
    validation: dict[str, Any] | None = None
    """where the held-out documents scored every pretrain.validation.every steps are
    (xuanyuan.train.validation.validation_source); None = none."""
    export_of: str | None = None
    """`<checkpoint dir>/<tag>` when the job exports that checkpoint instead of training
    (xuanyuan.train.checkpoint_export; its checkpoint_dir is then a snapshot holding that checkpoint)."""

    def to_json(self, path: str | Path) -> Path:
        Path(path).write_text(json.dumps(dataclasses.asdict(self), indent=2) + "\n", encoding="utf-8")
        return Path(path)

    @classmethod
    def from_json(cls, path: str | Path) -> "TrainJob":
        values = json.loads(Path(path).read_text(encoding="utf-8"))
        values["data"] = [(phase, list(prefixes)) for phase, prefixes in values["data"]]
        return cls(**values)


def stage_job(config: dict[str, Any], stage: str, *, data: list[tuple[str, list[str]]], init_model: str,
              out_dir: str, checkpoint_dir: str, metrics_path: str, tokenizer_dir: str,
              tensorboard_dir: str | None = None, resize: bool | None = None) -> TrainJob:
    """The job of stage 1 or stage 2 from the validated config.

    Stage 1 starts from the base model and resizes it to the expanded tokenizer (`resize`
    defaults to True for stage1); stage 2 starts from stage 1's export.
    """
    if stage not in ("stage1", "stage2"):
        raise ValueError(f"stage_job: stage {stage!r} is not stage1 or stage2")
    resize = (stage == "stage1") if resize is None else resize
    return TrainJob(stage=stage, data=data, out_dir=out_dir, checkpoint_dir=checkpoint_dir, metrics_path=metrics_path,
                    tokenizer_dir=tokenizer_dir, init_model=init_model,
                    resize_tokenizer=tokenizer_dir if resize else None, tensorboard_dir=tensorboard_dir,
                    model=dict(config.get("model") or {}), train=dict(config.get("pretrain") or {}))


def sft_job(config: dict[str, Any], stage: str, *, rows_dir: str, init_model: str, out_dir: str, checkpoint_dir: str,
            metrics_path: str, tokenizer_dir: str, tensorboard_dir: str | None = None) -> TrainJob:
    """The job of SFT stage `sft1` or `sft2`: the pretraining engine settings, the stage's own schedule
    (`sft.stage1.train` / `sft.stage2.train`), packed rows instead of the curriculum."""
    if stage not in ("sft1", "sft2"):
        raise ValueError(f"sft_job: stage {stage!r} is not sft1 or sft2")
    train = sft_train_section(config, stage)
    return TrainJob(stage=stage, data=[], out_dir=out_dir, checkpoint_dir=checkpoint_dir, metrics_path=metrics_path,
                    tokenizer_dir=tokenizer_dir, init_model=init_model, tensorboard_dir=tensorboard_dir,
                    model=dict(config.get("model") or {}), train=train, sft_rows=rows_dir)


def sft_train_section(config: dict[str, Any], stage: str) -> dict[str, Any]:
    """The `pretrain`-shaped settings SFT stage `stage` (sft1 | sft2) trains with: the pretraining engine
    settings and the stage's own schedule (`sft.stage1.train` / `sft.stage2.train`) under `stage`."""
    return {**dict(config.get("pretrain") or {}), stage: dict(config["sft"][SFT_STAGE_KEYS[stage]]["train"])}
