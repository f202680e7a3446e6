"""Answers to a file of questions: the `generate` rule, and the sample answers in results/sft.md.

A questions file is JSONL of `{"id", "question", "history"?: [[q, a], ...]}` or plain text with one
question per line. Each question is answered in a fresh conversation (with its own history, if
given), so answers do not depend on the order of the file.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from xuanyuan.chat.loading import load_for_inference
from xuanyuan.chat.session import ChatSession, GenerationSettings, MessageTooLong


def answer_questions(model_dir: str | Path, questions: list[dict[str, Any]], settings: GenerationSettings,
                     device: Any = None, system: str | None = None, *, key: str = "generate.device",
                     expected_gpus: int = 0) -> list[dict[str, Any]]:
    """One record per question: the answer, tokens generated, seconds and tokens/s.

    `device`: auto/None (every CUDA GPU when present, else the CPU), cpu, cuda, cuda:N; `key` names
    the setting in errors; `expected_gpus`: GPUs the rule asked for (auto without a GPU is then an error).
    """
    model, tokenizer = load_for_inference(model_dir, device, key=key, expected_gpus=expected_gpus)
    session = ChatSession(model, tokenizer, settings, system=system)
    records = []
    for item in questions:
        session.history = list(item["history"])
        start = time.perf_counter()
        try:
            _, new = session.generate_ids(item["question"])
        except MessageTooLong as exc:
            raise MessageTooLong(f"question {item['id']}: {exc}") from None
        seconds = time.perf_counter() - start
        answer = tokenizer.decode(new, skip_special_tokens=True).strip()
        records.append({"id": item["id"], "question": item["question"], "history": [list(t) for t in item["history"]],
                        "answer": answer, "new_tokens": len(new), "seconds": round(seconds, 4),
                        "tokens_per_s": round(len(new) / seconds, 2) if seconds > 0 else None})
    return records
