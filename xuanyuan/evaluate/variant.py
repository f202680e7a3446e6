"""What the `evaluate` rule calls: one model variant on every suite and shot setting, with its memory.

The model is loaded once, whatever it is (a trained stage, or an int8 / GPTQ / NF4 directory through
xuanyuan.quantize), on `evaluate.device` (auto: sharded over every GPU the job was given, else the
CPU), unquantized ones in `evaluate.dtype`, and handed to lm-eval as a loaded model. Memory: the
weights as loaded, and the peak over the whole evaluation, every benchmark and shot setting (CUDA:
max allocated summed over the model's GPUs, never reset in between; CPU: the weights plus the rise of
the resident set over the evaluation, sampled). Each record carries the same memory entry as
memory.json.

Each record's `config_hash` is the hash of this job's own inputs (job_hash): the `evaluate` params,
the model's identity and the suites. A row of results/eval.md thus keeps the hash that produced it
when unrelated config keys change later (DESIGN.md, "Results").
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping, Sequence

from xuanyuan.evaluate.run import evaluate_model, read_record, write_record
from xuanyuan.evaluate.settings import eval_settings
from xuanyuan.evaluate.tasks import Suite, load_suite

GB = 1e9
# The files of a model directory that say how it was made (architecture, training summary, quantization).
MODEL_RECORD_FILES = ("config.json", "xuanyuan_train.json", "quantize.json")


def model_identity(model_dir: str | Path) -> dict[str, Any]:
    """What identifies the model a job scores, without reading its weights: its path, the content of
    its record files and the name and size of each weight file (a 70B model is not hashed byte by byte)."""
    import hashlib

    folder = Path(model_dir)
    records = {name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
               for name in MODEL_RECORD_FILES if (folder / name).is_file()}
    weights = {p.name: p.stat().st_size for p in sorted(folder.glob("*.safetensors")) if p.is_file()}
    return {"path": str(model_dir), "records": records, "weights": weights}


def job_hash(variant: str, model_dir: str | Path, section: Mapping[str, Any], suites: Sequence[Suite]) -> str:
    """The evaluate job's inputs as one short hash: its params, the model's identity and every suite."""
    from xuanyuan.provenance import config_hash

    return config_hash({"variant": variant, "evaluate": dict(section), "model": model_identity(model_dir),
                        "suites": [suite.to_json() for suite in suites]})


def evaluate_variant(variant: str, model_dir: str, section: Mapping[str, Any], suite_dirs: Sequence[str], out_dir: str,
                     *, memory_path: str, threads: int | None = None, expected_gpus: int = 0) -> dict[str, Any]:
    """Write one record per (suite, shots) into `out_dir` and the variant's memory to `memory_path`.

    `expected_gpus`: GPUs the rule's resources asked for (with device auto and none visible: an error).
    """
    import torch

    from xuanyuan.chat.loading import load_for_inference, pick_device
    from xuanyuan.provenance import code_version
    from xuanyuan.quantize.memory import peak_memory, stored_bytes, weight_bytes

    if threads:
        torch.set_num_threads(threads)
    settings = eval_settings(dict(section))
    placement = pick_device(settings.device, key="evaluate.device", expected_gpus=expected_gpus)
    model, tokenizer = load_for_inference(model_dir, placement, dtype=settings.dtype, key="evaluate.device")
    suites = [load_suite(path) for path in suite_dirs]
    weights = weight_bytes(model)
    provenance = {"config_hash": job_hash(variant, model_dir, section, suites), "code_version": code_version()}
    written, peak = peak_memory(lambda: evaluate_model(
        model, suites, settings.shots, out_dir, variant=variant, tokenizer=tokenizer, batch_size=settings.batch_size,
        limit=settings.limit, provenance=provenance, model_dir=str(model_dir),
        reset_peak=False,
    ), placement.devices())
    peak_bytes = peak.get("peak_bytes", weights + peak["rise_bytes"])
    memory = {"variant": variant, "weights_gb": weights / GB, "peak_gb": peak_bytes / GB,
              "stored_gb": stored_bytes(model_dir) / GB, "dtype": str(next(model.parameters()).dtype),
              "device": str(placement), "method": peak["method"]}
    Path(memory_path).write_text(json.dumps(memory, indent=1) + "\n", encoding="utf-8")
    # The records' memory is this one (the whole evaluation), so the tables and records agree.
    for path in written:
        record = read_record(path)
        record["memory"] = {**memory, "scope": "the variant's whole evaluation (as memory.json)"}
        write_record(record, path)
    return memory
