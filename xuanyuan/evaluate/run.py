"""Score a model on one benchmark suite with lm-eval and return the result record (one JSON per
variant, benchmark and shots)."""

from __future__ import annotations

import json
import logging
import os
import resource
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from xuanyuan.errors import UserError
from xuanyuan.evaluate.builtin import lm_eval_version
from xuanyuan.evaluate.scores import CHANCE, aggregate
from xuanyuan.evaluate.tasks import Suite

log = logging.getLogger(__name__)


def default_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def hf_lm(model: Any, tokenizer: Any = None, *, batch_size: int = 8, device: str | None = None,
          dtype: str = "auto", max_length: int | None = None):
    """An lm-eval HFLM over a model directory, or over a model already loaded (e.g. quantized elsewhere).

    A loaded model keeps its own device and dtype (bitsandbytes and GPTQ models cannot be moved);
    it needs its tokenizer, or `tokenizer` may name the directory to load it from.
    """
    from lm_eval.models.huggingface import HFLM

    if isinstance(model, (str, os.PathLike)):
        if not (Path(model) / "config.json").is_file():
            raise UserError(f"{model}: not a Hugging Face model directory (no config.json); "
                            "point the evaluation at a model the training or quantization stage exported")
        return HFLM(pretrained=str(model), tokenizer=tokenizer, batch_size=batch_size,
                    device=default_device() if device in (None, "auto") else device, dtype=dtype,
                    max_length=max_length)
    if tokenizer is None:
        raise ValueError("a loaded model needs its tokenizer (an object or a directory)")
    return HFLM(pretrained=model, tokenizer=tokenizer, batch_size=batch_size, max_length=max_length)


def _task_manager(suite: Suite):
    from lm_eval.tasks import TaskManager

    if suite.mode == "local":
        # Only our YAMLs: indexing lm-eval's ~10k built-in tasks takes ~15 s and is not needed.
        return TaskManager(include_path=suite.include_path, include_defaults=False)
    return TaskManager()


def _cache_jinja_templates() -> None:
    """Compile each prompt template once instead of once per rendering.

    lm-eval's utils.apply_template calls `env.from_string(template)` for every document, field and
    few-shot example; compiling dominates CPU time on 5-shot runs (bench: docs/evaluate.md). A compiled
    Jinja template is a pure function of its source, so caching by source changes no prompt.
    """
    from lm_eval import utils

    if not hasattr(utils.env.from_string, "cache_info"):
        utils.env.from_string = lru_cache(maxsize=1024)(utils.env.from_string)


def _check_shots(suite: Suite, shots: int) -> None:
    if suite.mode != "local" or shots == 0:
        return
    short = [s for s in suite.subjects if (s.n_dev or 0) < shots]
    if short:
        s = short[0]
        raise UserError(f"{suite.data_dir}: {shots}-shot needs {shots} dev examples per subject, but "
                        f"{len(short)} subject(s) have fewer (e.g. {s.name}: {s.n_dev or 0} in dev/). "
                        "Add dev files or lower evaluate.shots.")


def _lm_devices(lm: Any) -> list[str]:
    """Every device the lm-eval model's weights are on (a sharded model spans several GPUs)."""
    from xuanyuan.quantize.placement import model_devices

    model = getattr(lm, "model", None)
    if model is not None and hasattr(model, "parameters"):
        return model_devices(model)
    return [str(getattr(lm, "device", "cpu"))]


def _memory_of_run(devices: list[str], reset: bool) -> dict:
    """The record's memory entry: what was measured, over what, and the peak in GB."""
    import torch

    gpus = [torch.device(d) for d in devices if d.startswith("cuda")]
    if gpus and torch.cuda.is_available():
        return {"method": "cuda_max_memory_allocated", "devices": [str(d) for d in gpus],
                "scope": "this benchmark" if reset else "every benchmark of this model so far",
                "peak_gb": round(sum(torch.cuda.max_memory_allocated(d) for d in gpus) / 1e9, 4)}
    # ru_maxrss is the process's peak resident set in KiB on Linux: the whole process, loading included.
    return {"method": "process_max_rss", "devices": ["cpu"], "scope": "the whole process so far",
            "peak_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9, 4)}


def evaluate_suite(lm: Any, suite: Suite, shots: int, *, limit: int | None = None, variant: str = "",
                   model_dir: str | None = None, provenance: dict | None = None,
                   cache_templates: bool = True, reset_peak: bool = True) -> dict:
    """Run lm-eval on every subject of `suite` with `shots` few-shot examples; the result record.

    `lm` is an lm-eval LM (see hf_lm) or a model directory. `limit` caps questions per subject.
    `provenance` (config hash, code version) is copied into the record. The record's `memory` says
    what its peak covers; on CUDA the peak counters are reset first unless `reset_peak` is False
    (an outer measurement is running: xuanyuan.evaluate.variant measures a model's whole evaluation).
    """
    import torch
    from lm_eval import simple_evaluate

    _check_shots(suite, shots)
    if cache_templates:
        _cache_jinja_templates()
    if isinstance(lm, (str, os.PathLike)):
        model_dir = model_dir or str(lm)
        lm = hf_lm(lm)
    device = str(getattr(lm, "device", "cpu"))
    devices = _lm_devices(lm)
    if reset_peak and torch.cuda.is_available():
        for d in devices:
            if d.startswith("cuda"):
                torch.cuda.reset_peak_memory_stats(d)
    started = time.perf_counter()
    out = simple_evaluate(
        model=lm, tasks=[s.task for s in suite.subjects], num_fewshot=shots, limit=limit,
        # Samples: each question's chosen option, for the question-by-question comparison of variants.
        task_manager=_task_manager(suite), bootstrap_iters=0, log_samples=True,
        random_seed=0, numpy_random_seed=1234, torch_random_seed=1234, fewshot_random_seed=1234,
    )
    wall = time.perf_counter() - started
    subjects = {}
    for s in suite.subjects:
        counts = out["n-samples"][s.task]
        subjects[s.name] = {"n": counts["effective"], "n_total": counts["original"],
                            "acc": out["results"][s.task]["acc,none"], "categories": list(s.categories),
                            "answers": answer_sheet(out["samples"][s.task])}
        if s.n_questions is not None and counts["original"] != s.n_questions:
            raise RuntimeError(f"{s.source}: lm-eval read {counts['original']} questions, the file has {s.n_questions}")
        _check_sheet(s.task, subjects[s.name])
    record = {
        "variant": variant, "benchmark": suite.benchmark, "layout": suite.layout, "mode": suite.mode,
        "split": suite.split, "shots": shots, "limit": limit, "chance": CHANCE,
        **aggregate(subjects),
        "subjects": subjects,
        "model_dir": model_dir, "data_dir": suite.data_dir,
        "lm_eval_version": lm_eval_version(),
        "task_config": {"include_path": suite.include_path, "group": suite.group,
                        "tasks": {task: _plain(config) for task, config in out["configs"].items()}},
        "wall_s": round(wall, 3), "device": device, "memory": _memory_of_run(devices, reset_peak),
        **(provenance or {}),
    }
    log.info("%s %s %d-shot: micro %.4f over %d questions in %.1f s", variant, suite.benchmark, shots,
             record["micro"] or 0.0, record["n_questions"], wall)
    return record


def answer_sheet(samples: list[dict]) -> dict[str, str]:
    """One subject's answers from lm-eval's logged samples, in question order: `choices` the option the
    model ranked first (A, B, ...), `correct` lm-eval's verdict (1/0), `questions` a hash of the
    questions themselves, so that two sheets are compared only when they answer the same ones."""
    import hashlib

    ordered = sorted(samples, key=lambda sample: sample["doc_id"])
    choices, correct = [], []
    for sample in ordered:
        likelihoods = [float(response[0]) for response in sample["filtered_resps"]]
        # The first of equal maxima, as lm-eval's own argmax picks.
        choices.append(chr(ord("A") + likelihoods.index(max(likelihoods))))
        correct.append("1" if sample["acc"] else "0")
    questions = hashlib.sha256("".join(sample["doc_hash"] for sample in ordered).encode()).hexdigest()[:16]
    return {"choices": "".join(choices), "correct": "".join(correct), "questions": questions}


def _check_sheet(task: str, subject: dict) -> None:
    """The sheet must add up to lm-eval's own accuracy: a logged sample lost or misread would otherwise
    make every question-by-question count silently wrong."""
    sheet = subject["answers"]
    right = sheet["correct"].count("1")
    if len(sheet["correct"]) != subject["n"] or abs(right - subject["acc"] * subject["n"]) > 1e-6:
        raise RuntimeError(f"{task}: lm-eval's logged samples ({right} right of {len(sheet['correct'])}) do not "
                           f"match its accuracy {subject['acc']} over {subject['n']} questions")


def _plain(value: Any) -> Any:
    """lm-eval's task configs hold callables and such; keep what JSON can say."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def write_record(record: dict, path: str | os.PathLike[str]) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def read_record(path: str | os.PathLike[str]) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def record_name(benchmark: str, shots: int) -> str:
    return f"{benchmark}.{shots}shot.json"


def evaluate_model(model: Any, suites: list[Suite], shots: list[int] | tuple[int, ...], out_dir: str | os.PathLike[str],
                   *, variant: str, tokenizer: Any = None, batch_size: int = 8, limit: int | None = None,
                   device: str | None = None, dtype: str = "auto", max_length: int | None = None,
                   provenance: dict | None = None, model_dir: str | None = None,
                   reset_peak: bool = True) -> list[Path]:
    """Load the model once and write one record per (suite, shots) as `out_dir/<benchmark>.<shots>shot.json`.

    `model` is a model directory or a loaded model (then `tokenizer` too, and `model_dir`, the directory
    it came from, for the records), e.g. one quantized in memory. `reset_peak`: see evaluate_suite.
    """
    if isinstance(model, (str, os.PathLike)):
        model_dir = str(model)
    lm = hf_lm(model, tokenizer, batch_size=batch_size, device=device, dtype=dtype, max_length=max_length)
    written = []
    for suite in suites:
        for n in shots:
            record = evaluate_suite(lm, suite, n, limit=limit, variant=variant, model_dir=model_dir,
                                    provenance=provenance, reset_peak=reset_peak)
            path = Path(out_dir) / record_name(suite.benchmark, n)
            write_record(record, path)
            written.append(path)
    return written
