"""Read one subject CSV of a C-Eval, CMMLU or MMLU layout folder into checked question rows.

A real CSV parser, because the released files have quoted cells with embedded newlines and commas,
CRLF or LF endings, and bare-number options that must stay text ("0.50" is not 0.5). Every problem
is reported with the file, the row and what to change.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from xuanyuan.errors import UserError
from xuanyuan.evaluate.layouts import LETTERS, Layout


class BenchmarkFileError(UserError):
    """A benchmark CSV that cannot be evaluated as it is; the message names file, row and fix."""


@dataclass(frozen=True)
class Question:
    question: str
    options: tuple[str, str, str, str]
    answer: str  # one of A B C D


def _problem(path: Path, row: int | None, what: str, fix: str) -> BenchmarkFileError:
    where = f"{path}" if row is None else f"{path}, row {row}"
    return BenchmarkFileError(f"{where}: {what}. Fix: {fix}")


def _header_columns(layout: Layout) -> list[str]:
    return [layout.question_column, *LETTERS, layout.answer_column]


def read_questions(path: str | Path, layout: Layout) -> list[Question]:
    """Every question of one subject file, in file order (lm-eval's few-shot sampler takes the first n)."""
    path = Path(path)
    try:
        # utf-8-sig: a BOM written by spreadsheet tools would otherwise become part of the first header name.
        with path.open(encoding="utf-8-sig", newline="") as handle:
            records = list(csv.reader(handle))
    except UnicodeDecodeError as exc:
        raise _problem(path, None, f"not UTF-8 ({exc.reason} at byte {exc.start})",
                       "save the file as UTF-8 (the released benchmark files are)") from exc
    except OSError as exc:
        raise _problem(path, None, f"cannot be read ({exc.strerror})", "check that the path exists") from exc
    records = [r for r in records if any(cell.strip() for cell in r)]  # trailing blank lines
    if layout.header:
        if not records:
            raise _problem(path, None, "empty file", f"write a header {','.join(_header_columns(layout))} and rows")
        header, body, first_row = [c.strip() for c in records[0]], records[1:], 2
        missing = [c for c in _header_columns(layout) if c not in header]
        if missing:
            raise _problem(path, 1, f"missing column(s) {', '.join(missing)} in header {records[0]}",
                           f"a {layout.name}-layout file needs the columns {','.join(_header_columns(layout))}")
        index = {c: header.index(c) for c in _header_columns(layout)}
    else:
        body, first_row = records, 1
        index = {c: i for i, c in enumerate(_header_columns(layout))}
    questions = []
    for number, record in enumerate(body, start=first_row):
        if layout.header and len(record) <= max(index.values()):
            raise _problem(path, number, f"{len(record)} cells where the header has {len(header)}",
                           "quote cells that contain commas or newlines")
        if not layout.header and len(record) != len(index):
            raise _problem(path, number, f"{len(record)} cells where 6 are expected (question,A,B,C,D,answer)",
                           "MMLU-layout files have no header and exactly six columns; quote cells with commas")
        answer = record[index[layout.answer_column]].strip()
        if answer not in LETTERS:
            raise _problem(path, number, f"answer {answer!r} is not one of A, B, C, D",
                           "write the letter of the correct option (a test split without public answers, "
                           "like C-Eval's, cannot be scored: evaluate val)")
        question = record[index[layout.question_column]]
        if not question.strip():
            raise _problem(path, number, "empty question", "fill in the question or delete the row")
        options = tuple(record[index[letter]] for letter in LETTERS)
        questions.append(Question(question, options, answer))  # type: ignore[arg-type]
    if not questions:
        raise _problem(path, None, "no questions", "add rows or remove the file")
    return questions


def hub_record(question: Question, layout: Layout, subject: str) -> dict:
    """The row as the built-in task's hub dataset has it, so lm-eval's own templates render it unchanged."""
    if layout.name == "mmlu":  # cais/mmlu: question, subject, choices (list), answer (index)
        return {"question": question.question, "subject": subject, "choices": list(question.options),
                "answer": LETTERS.index(question.answer)}
    record = {layout.question_column: question.question}
    record.update(zip(LETTERS, question.options))
    record[layout.answer_column] = question.answer
    return record
