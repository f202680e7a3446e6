"""Reading a questions file: JSONL of `{"id", "question", "history"?}` records, or one question per line.

Apart from answering (xuanyuan.chat.questions) because the Snakefile reads the shipped questions
when it parses, and that must not import torch.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from xuanyuan.errors import UserError


class QuestionsError(UserError):
    """A questions file that can't be read or has a bad record."""


def read_questions(path: str | Path) -> list[dict[str, Any]]:
    """[{id, question, history}] of a JSONL or plain-text questions file."""
    path = Path(path)
    if not path.exists():
        raise QuestionsError(f"{path}: questions file not found; set generate.questions to an existing file")
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    questions = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if not line.lstrip().startswith("{"):
            questions.append({"id": f"q{number}", "question": line.strip(), "history": []})
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise QuestionsError(f"{path}:{number}: not valid JSON ({exc.msg}); fix the line or write plain text") from None
        question = record.get("question")
        if not isinstance(question, str) or not question.strip():
            raise QuestionsError(f"{path}:{number}: needs a non-empty string \"question\"")
        history = record.get("history") or []
        if not all(isinstance(t, (list, tuple)) and len(t) == 2 and all(isinstance(x, str) for x in t) for t in history):
            raise QuestionsError(f"{path}:{number}: \"history\" must be a list of [question, answer] string pairs")
        questions.append({"id": str(record.get("id", f"q{number}")), "question": question.strip(),
                          "history": [tuple(t) for t in history]})
    if not questions:
        raise QuestionsError(f"{path}: no questions in the file")
    return questions
