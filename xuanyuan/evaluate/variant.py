"""What the `evaluate` rule calls: one model variant on every suite and shot setting, with its memory.

The model is loaded once, whatever it is (a trained stage, or an int8 / GPTQ / NF4 directory through
xuanyuan.quantize), and handed to lm-eval as a loaded model. Memory: the weights as loaded, and the
peak while evaluating (CUDA: max allocated; CPU: the weights plus the rise of the resident set over the
evaluation, sampled).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping, Sequence

from xuanyuan.evaluate.run import evaluate_model
from xuanyuan.evaluate.settings import eval_settings
from xuanyuan.evaluate.tasks import load_suite

GB = 1e9


def evaluate_variant(variant: str, model_dir: str, section: Mapping[str, Any], suite_dirs: Sequence[str], out_dir: str,
                     *, memory_path: str, threads: int | None = None) -> dict[str, Any]:
    """Write one record per (suite, shots) into `out_dir` and the variant's memory to `memory_path`."""
    import torch

    from xuanyuan.chat.loading import load_for_inference, pick_device
    from xuanyuan.provenance import code_version
    from xuanyuan.quantize.memory import peak_memory, stored_bytes, weight_bytes

    if threads:
        torch.set_num_threads(threads)
    settings = eval_settings(dict(section))
    device = str(pick_device(settings.device))
    model, tokenizer = load_for_inference(model_dir, device)
    suites = [load_suite(path) for path in suite_dirs]
    weights = weight_bytes(model)
    _, peak = peak_memory(lambda: evaluate_model(
        model, suites, settings.shots, out_dir, variant=variant, tokenizer=tokenizer, batch_size=settings.batch_size,
        limit=settings.limit, device=device, provenance={"code_version": code_version()},
    ), device)
    peak_bytes = peak.get("peak_bytes", weights + peak["rise_bytes"])
    memory = {"variant": variant, "weights_gb": weights / GB, "peak_gb": peak_bytes / GB,
              "stored_gb": stored_bytes(model_dir) / GB, "dtype": str(next(model.parameters()).dtype),
              "device": device, "method": peak["method"]}
    Path(memory_path).write_text(json.dumps(memory, indent=1) + "\n", encoding="utf-8")
    return memory
