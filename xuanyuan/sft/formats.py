"""Instruction record formats -> `Conversation`, with a reason for every record that can't be one.

Three families are read, told apart per record (so one file may mix them):

- Alpaca: `instruction`, optional `input`, `output`, optional `history` = [[q, a], ...] (earlier
  turns, oldest first) and optional `system`. The question is the instruction, then a newline and
  the input when the input is not empty (the convention of the Alpaca and LLaMA-Factory loaders).
- ShareGPT: `conversations` (or `messages`) = [{from, value}, ...] or [{role, content}, ...];
  human/user, gpt/assistant and system roles; optional top-level `system`.
- Question/answer: `question`/`answer`, `prompt`/`response`, or `instruction`/`response` (the
  format of the public XuanYuan training code), with optional `history` and `system`.

Every question and answer is stripped of leading and trailing whitespace: the chat template owns
the spacing around them (" Human: " + q, "Assistant: " + a), and a stray leading space or newline
would otherwise change the tokens at the segment boundaries. Optional labels `id`, `domain`,
`category` and `lang` on a record override the reader's defaults.
"""

from __future__ import annotations

from typing import Any

from xuanyuan.sft.conversation import Conversation, Turn

# Reasons a record is refused; the ledger groups by them.
NOT_AN_OBJECT = "not_an_object"
UNKNOWN_FORMAT = "unknown_format"
MISSING_FIELD = "missing_field"
WRONG_TYPE = "wrong_type"
EMPTY_QUESTION = "empty_question"
EMPTY_ANSWER = "empty_answer"
BAD_HISTORY = "bad_history"
BAD_ROLES = "bad_roles"
NO_ANSWER = "no_answer"

HUMAN_ROLES = frozenset({"human", "user"})
ASSISTANT_ROLES = frozenset({"gpt", "assistant", "model", "chatgpt", "bot"})
SYSTEM_ROLES = frozenset({"system"})


class InvalidRecord(ValueError):
    """A record that is not a valid conversation; `reason` is one of the constants above."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def record_format(record: Any) -> str:
    """'alpaca', 'sharegpt' or 'qa' for a record; InvalidRecord when it is none of them."""
    if not isinstance(record, dict):
        raise InvalidRecord(NOT_AN_OBJECT, f"a record must be a JSON object, got {type(record).__name__}")
    if "conversations" in record or "messages" in record:
        return "sharegpt"
    if "instruction" in record and "output" not in record and "response" in record:
        return "qa"
    if "instruction" in record:
        return "alpaca"
    if {"question", "answer", "prompt", "response"} & record.keys():
        return "qa"
    keys = ", ".join(sorted(record)) or "none"
    raise InvalidRecord(
        UNKNOWN_FORMAT,
        f"keys {keys}; expected Alpaca (instruction/input/output), ShareGPT (conversations) "
        "or question/answer (question/answer, prompt/response)",
    )


def to_conversation(record: Any, *, source: str, default_id: str, domain: str | None = None,
                    category: str | None = None, lang: str | None = None) -> Conversation:
    """The normalised conversation of one record of any supported format."""
    kind = record_format(record)
    if kind == "sharegpt":
        system, turns = _sharegpt_turns(record)
    elif kind == "alpaca":
        system, turns = _alpaca_turns(record)
    else:
        system, turns = _qa_turns(record)
    return Conversation(
        system=system,
        turns=tuple(turns),
        source=source,
        id=_label(record, "id", default_id),
        domain=_label(record, "domain", domain),
        category=_label(record, "category", category),
        lang=_label(record, "lang", lang),
    )


def _alpaca_turns(record: dict) -> tuple[str | None, list[Turn]]:
    instruction = _text(record, "instruction", required=True)
    extra = _text(record, "input", required=False)
    question = instruction.strip()
    if extra.strip():
        question = f"{question}\n{extra.strip()}" if question else extra.strip()
    answer = _answer(record, "output")
    return _system(record), _history(record) + [(_question(question, "instruction/input"), answer)]


def _qa_turns(record: dict) -> tuple[str | None, list[Turn]]:
    pairs = (("question", "answer"), ("prompt", "response"), ("instruction", "response"))
    # The question key decides the pair ("response" belongs to both prompt and instruction);
    # failing that, the answer key, so that a lone answer is reported as a missing question.
    for present in (lambda q, a: q in record, lambda q, a: a in record):
        for q_key, a_key in pairs:
            if present(q_key, a_key):
                question = _question(_text(record, q_key, required=True).strip(), q_key)
                return _system(record), _history(record) + [(question, _answer(record, a_key))]
    raise InvalidRecord(UNKNOWN_FORMAT, "no question/answer or prompt/response pair")  # record_format prevents this


def _sharegpt_turns(record: dict) -> tuple[str | None, list[Turn]]:
    key = "conversations" if "conversations" in record else "messages"
    messages = record[key]
    if not isinstance(messages, list):
        raise InvalidRecord(WRONG_TYPE, f"'{key}' must be a list of messages, got {type(messages).__name__}")
    system = _system(record)
    turns: list[Turn] = []
    question: str | None = None
    for position, message in enumerate(messages):
        role, text = _message(message, key, position)
        if role == "system":
            if position != 0 or system is not None:
                raise InvalidRecord(BAD_ROLES, f"{key}[{position}]: a system message may only open the conversation")
            system = text
        elif role == "human":
            if question is not None:
                raise InvalidRecord(BAD_ROLES, f"{key}[{position}]: two human messages in a row")
            question = _question(text.strip(), f"{key}[{position}]")
        else:
            if question is None:
                raise InvalidRecord(BAD_ROLES, f"{key}[{position}]: an assistant message without a question before it")
            answer = text.strip()
            if not answer:
                raise InvalidRecord(EMPTY_ANSWER, f"{key}[{position}] is empty")
            turns.append((question, answer))
            question = None
    if question is not None:
        raise InvalidRecord(NO_ANSWER, f"the last human message of '{key}' has no answer to learn from")
    if not turns:
        raise InvalidRecord(NO_ANSWER, f"'{key}' holds no human/assistant pair")
    return system, turns


def _message(message: Any, key: str, position: int) -> tuple[str, str]:
    """(role in human|assistant|system, text) of one ShareGPT message."""
    where = f"{key}[{position}]"
    if not isinstance(message, dict):
        raise InvalidRecord(WRONG_TYPE, f"{where} must be an object, got {type(message).__name__}")
    role_key, text_key = ("from", "value") if "from" in message else ("role", "content")
    if role_key not in message or text_key not in message:
        raise InvalidRecord(MISSING_FIELD, f"{where} needs from/value or role/content")
    role, text = message[role_key], message[text_key]
    if not isinstance(role, str) or not isinstance(text, str):
        raise InvalidRecord(WRONG_TYPE, f"{where}: {role_key} and {text_key} must be strings")
    role = role.strip().lower()
    if role in HUMAN_ROLES:
        return "human", text
    if role in ASSISTANT_ROLES:
        return "assistant", text
    if role in SYSTEM_ROLES:
        return "system", text
    raise InvalidRecord(BAD_ROLES, f"{where}: unknown role {role!r}")


def _history(record: dict) -> list[Turn]:
    history = record.get("history")
    if history is None:
        return []
    if not isinstance(history, list):
        raise InvalidRecord(BAD_HISTORY, f"'history' must be a list of [question, answer] pairs, got {type(history).__name__}")
    turns = []
    for position, pair in enumerate(history):
        if not (isinstance(pair, (list, tuple)) and len(pair) == 2 and all(isinstance(x, str) for x in pair)):
            raise InvalidRecord(BAD_HISTORY, f"history[{position}] is not a [question, answer] pair of strings")
        question, answer = pair[0].strip(), pair[1].strip()
        if not question or not answer:
            raise InvalidRecord(BAD_HISTORY, f"history[{position}] has an empty question or answer")
        turns.append((question, answer))
    return turns


def _text(record: dict, key: str, *, required: bool) -> str:
    if key not in record or record[key] is None:
        if required:
            raise InvalidRecord(MISSING_FIELD, f"'{key}' is missing")
        return ""
    value = record[key]
    if not isinstance(value, str):
        raise InvalidRecord(WRONG_TYPE, f"'{key}' must be a string, got {type(value).__name__}")
    return value


def _question(text: str, where: str) -> str:
    if not text:
        raise InvalidRecord(EMPTY_QUESTION, f"{where} is empty")
    return text


def _answer(record: dict, key: str) -> str:
    answer = _text(record, key, required=True).strip()
    if not answer:
        raise InvalidRecord(EMPTY_ANSWER, f"'{key}' is empty")
    return answer


def _system(record: dict) -> str | None:
    """The record's own system message; None (the released default) when absent or empty."""
    value = record.get("system")
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidRecord(WRONG_TYPE, f"'system' must be a string, got {type(value).__name__}")
    return value


def _label(record: dict, key: str, default: str | None) -> str | None:
    value = record.get(key)
    if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
        return str(value)
    return default
