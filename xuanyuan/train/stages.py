"""What the training rules call: the base stand-in's English data, and one call per stage (pretraining and SFT).

The rules stay thin: each passes paths and the validated config, and these functions build the
TrainJob, launch one process per device, and return the export's summary.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import shutil
from pathlib import Path
from typing import Any, Sequence

from xuanyuan.shards import read_records, write_json
from xuanyuan.tokdata import document_bos_id, tokenize_documents
from xuanyuan.train import checkpoint
from xuanyuan.train.base_model import base_tokenizer_dir, standin_job
from xuanyuan.train.job import TrainJob, fingerprint_settings, sft_job, stage_job
from xuanyuan.train.launch import launch as _launch
from xuanyuan.train.settings import Restart
from xuanyuan.train.spikes import summary_lines

log = logging.getLogger(__name__)
FINGERPRINT = "fingerprint.json"


# Job fields that change no weight: where it logs (tensorboard), and its settings, fingerprinted as
# fingerprint_settings (the keys the rule's params carry).
_NOT_FINGERPRINTED = ("tensorboard_dir", "model", "train", "validation")


def _fingerprint(job: TrainJob) -> dict[str, Any]:
    """The job's paths and the settings its weights depend on, plus the size and modification time of
    every file it reads: checkpoints are reused only when all of them are unchanged."""
    paths = [prefix + suffix for _, prefixes in job.data for prefix in prefixes for suffix in (".bin", ".idx")]
    if job.sft_rows is not None:
        paths += sorted(str(p) for p in Path(job.sft_rows).glob("*") if p.is_file())
    # Not tokenizer_dir: the stand-in job rewrites its copy on every start, and only the export reads it.
    for directory in filter(None, (job.init_model, job.resize_tokenizer)):
        paths += sorted(str(p) for p in Path(directory).glob("*") if p.is_file())
    files = {path: [os.stat(path).st_size, os.stat(path).st_mtime_ns] for path in paths if os.path.exists(path)}
    fields = {key: value for key, value in job.__dict__.items() if key not in _NOT_FINGERPRINTED}
    fields["settings"] = fingerprint_settings(job)
    return {"job": json.loads(json.dumps(fields, default=list)), "files": files}


def launch(job: TrainJob, metrics_output: str, **kwargs: Any) -> dict[str, Any]:
    """Launch `job`, resuming from its checkpoints only if they were made by this very job.

    A job killed mid-run and rerun with the same inputs resumes; a job rerun because its config or
    inputs changed must start from step 0, so stale checkpoints are removed first. A change to the
    stage's restarts only rewinds it to its newest checkpoint at or before the first changed restart.
    The metrics are written beside the checkpoints (Snakemake deletes a failed job's outputs, and the
    resumed run continues the file) and copied to `metrics_output` at the end.
    """
    keep_valid_checkpoints(job)
    summary = _launch(job, **kwargs)
    for line in summary_lines(job.stage, summary):  # the workers warned as they found them, in their own log
        log.warning("%s: spike: %s", job.stage, line)
    Path(metrics_output).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(job.metrics_path, metrics_output)
    return summary


def keep_valid_checkpoints(job: TrainJob) -> None:
    """Remove the checkpoints `job` may not resume from (all of them, or after a rewind the later ones),
    and record the job they are valid for from now on."""
    checkpoint_dir = Path(job.checkpoint_dir)
    fingerprint = _fingerprint(job)
    stored = checkpoint_dir / FINGERPRINT
    if checkpoint_dir.exists():
        previous = json.loads(stored.read_text()) if stored.exists() else None
        if previous != fingerprint and not _rewound(job, previous, fingerprint):
            log.info("%s: checkpoints belong to another job or other inputs; starting from step 0", checkpoint_dir)
            shutil.rmtree(checkpoint_dir)
    checkpoint_dir.mkdir(parents=True, exist_ok=True)
    stored.write_text(json.dumps(fingerprint, indent=1, sort_keys=True))


def _restarts(fingerprint: dict[str, Any], stage: str) -> tuple[Restart, ...]:
    schedule = fingerprint["job"]["settings"]["train"].get(stage) or {}
    return tuple(Restart(**entry) for entry in schedule.get("restarts") or ())


def _without_restarts(fingerprint: dict[str, Any], stage: str) -> dict[str, Any]:
    copy = json.loads(json.dumps(fingerprint))
    (copy["job"]["settings"]["train"].get(stage) or {}).pop("restarts", None)
    return copy


def _rewound(job: TrainJob, previous: dict[str, Any] | None, fingerprint: dict[str, Any]) -> bool:
    """When only the stage's restarts changed: keep the checkpoints up to the first step where the old
    and new restarts differ, which both runs reach the same way, and remove the later ones; False when
    the checkpoints cannot be kept (another change, or none at or before that step)."""
    if previous is None or _without_restarts(previous, job.stage) != _without_restarts(fingerprint, job.stage):
        return False
    old, new = _restarts(previous, job.stage), _restarts(fingerprint, job.stage)
    differing = [min(r.from_step for r in pair if r is not None)
                 for pair in itertools.zip_longest(old, new) if pair[0] != pair[1]]
    if not differing:
        return True  # the same restarts, written otherwise
    kept = checkpoint.rewind(job.checkpoint_dir, differing[0])
    if kept is None:
        log.warning("%s: the stage's restarts changed from step %d, and no checkpoint at or before it is left "
                    "(pretrain.keep_checkpoints keeps the newest ones); starting from step 0",
                    job.checkpoint_dir, differing[0])
        return False
    log.info("%s: the stage's restarts changed from step %d: rewound to %s, later checkpoints removed",
             job.checkpoint_dir, differing[0], kept)
    return True


def _english_training_records(shard_paths: Sequence[str], heldout_fraction: float):
    from xuanyuan.tokenizer import is_heldout

    for path in shard_paths:
        for record in read_records(path):
            # Held-out documents serve the tokenizer and perplexity tables; no model trains on them.
            if record.get("lang") == "en" and not is_heldout(record["id"], heldout_fraction):
                yield {**record, "meta": {**record.get("meta", {}), "mix": {"phase": "base_en", "copy": 0}}}


def tokenize_base_english(
    shard_paths: Sequence[str], base_tokenizer_model: str, hf_dir: str, out_prefix: str, stats_path: str,
    *, heldout_fraction: float, batch_docs: int, bos: bool = True,
) -> dict[str, Any]:
    """The stand-in base model's training data: the corpus's English, tokenized with the *base* tokenizer.

    `bos` (tokenize.bos) puts the tokenizer's BOS before every document, as the tokenize stage does.
    """
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(base_tokenizer_dir(base_tokenizer_model, hf_dir)))
    stats = tokenize_documents(
        _english_training_records(shard_paths, heldout_fraction), tokenizer, out_prefix,
        batch_docs=batch_docs, eos_id=tokenizer.eos_token_id, bos_id=document_bos_id(tokenizer, bos),
    )
    write_json(stats_path, stats)
    return stats


def train_base_standin(config: dict[str, Any], *, base_tokenizer_model: str, base_hf_dir: str, data_prefix: str,
                       out_dir: str, checkpoint_dir: str, metrics_path: str, tensorboard_dir: str,
                       validation: dict[str, Any] | None = None, **launch_options: Any) -> dict[str, Any]:
    """Pretrain the stand-in base; `base_hf_dir` holds the base tokenizer's HF files (copied into the export).
    `validation`: where the held-out documents scored during the stage are (validation.validation_source)."""
    job = standin_job(
        config, base_tokenizer_model=base_tokenizer_model, data=[("base_en", [data_prefix])], out_dir=out_dir,
        checkpoint_dir=checkpoint_dir, metrics_path=str(Path(checkpoint_dir) / "metrics.jsonl"),
        tokenizer_hf_dir=base_hf_dir, tensorboard_dir=tensorboard_dir,
    )
    job.validation = validation
    return launch(job, metrics_path, **launch_options)


def train_stage(config: dict[str, Any], stage: str, *, phases: Sequence[str], phase_prefixes: Sequence[str],
                init_model: str, tokenizer_dir: str, out_dir: str, checkpoint_dir: str, metrics_path: str,
                tensorboard_dir: str, validation: dict[str, Any] | None = None, **launch_options: Any) -> dict[str, Any]:
    """Stage 1 or 2 on the given mixing phases, in curriculum order (`validation`: as train_base_standin)."""
    job = stage_job(
        config, stage, data=[(phase, [prefix]) for phase, prefix in zip(phases, phase_prefixes)],
        init_model=init_model, out_dir=out_dir, checkpoint_dir=checkpoint_dir,
        metrics_path=str(Path(checkpoint_dir) / "metrics.jsonl"), tokenizer_dir=tokenizer_dir,
        tensorboard_dir=tensorboard_dir,
    )
    job.validation = validation
    return launch(job, metrics_path, **launch_options)


def train_sft(config: dict[str, Any], stage: str, *, rows_dir: str, init_model: str, tokenizer_dir: str, out_dir: str,
              checkpoint_dir: str, metrics_path: str, tensorboard_dir: str, **launch_options: Any) -> dict[str, Any]:
    """SFT stage `sft1` or `sft2` on its packed rows: the same trainer, answer-only labels."""
    job = sft_job(config, stage, rows_dir=rows_dir, init_model=init_model, out_dir=out_dir,
                  checkpoint_dir=checkpoint_dir, metrics_path=str(Path(checkpoint_dir) / "metrics.jsonl"),
                  tokenizer_dir=tokenizer_dir, tensorboard_dir=tensorboard_dir)
    return launch(job, metrics_path, **launch_options)
