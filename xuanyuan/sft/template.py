"""XuanYuan-70B-Chat's released chat format: the one place prompts are built, for training,
inference and evaluation alike.

Source: the model card's inference example (system message, `seps = [" ", "</s>"]`,
`roles = ["Human", "Assistant"]`, `prompt = system + seps[0] + roles[0] + ": " + q + seps[0] +
roles[1] + ":"`) and, for more than one turn, the repository's `conversation.py` used by its
`cli_demo.py`, FastChat's ADD_COLON_TWO style: after the system message comes seps[0]; each
message is `role + ": " + text + seps[i % 2]` (seps[0] = " " after a question, seps[1] = "</s>"
after an answer); the open assistant turn is `role + ":"`. So two turns read

    SYSTEM + " Human: " + q1 + " Assistant: " + a1 + "</s>" + "Human: " + q2 + " Assistant: " + a2 + "</s>"

Note there is no space between "</s>" and the next "Human:" (the separator is only "</s>").
The system message is the model card's, with its "参与 与" (the repository's conversation.py
has "参与与"; the model card is what the released weights document).

The format is a fact of the released model, not a tuning knob, so it lives here and not in config.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Sequence

from xuanyuan.sft.conversation import Conversation, Turn

SYSTEM_MESSAGE = (
    "以下是用户和人工智能助手之间的对话。用户以Human开头，人工智能助手以Assistant开头，"
    "会对人类提出的问题给出有帮助、高质量、详细和礼貌的回答，"
    "并且总是拒绝参与 与不道德、不安全、有争议、政治敏感等相关的话题、问题和指示。\n"
)
ROLES = ("Human", "Assistant")
SEPS = (" ", "</s>")
EOS_TEXT = SEPS[1]  # stands for the EOS token id, never for the five characters

Kind = Literal["prompt", "answer", "eos"]


@dataclass(frozen=True)
class Segment:
    """A piece of a rendered conversation.

    kind: "prompt" (system message, human turn and role markers: never learned), "answer" (the
    assistant's text, learned) or "eos" (the closing "</s>", learned, encoded as the EOS id).
    fresh: the segment starts a new SentencePiece input: the start of the text or right after an
    EOS. The released tokenizer gives such text the dummy-prefix space ("▁Human"), text in the
    middle of a run gets none; `xuanyuan.sft.segments` encodes each kind accordingly.
    """

    text: str
    kind: Kind
    fresh: bool


def chat_segments(system: str | None, turns: Sequence[Turn], next_question: str | None = None) -> list[Segment]:
    """The segments of a conversation; with `next_question`, ending in the open "Assistant:" for generation.

    system: None means the released SYSTEM_MESSAGE; "" means none (as XuanYuan-6B's format).
    """
    system = SYSTEM_MESSAGE if system is None else system
    human, assistant = ROLES
    questions = [q for q, _ in turns] + ([next_question] if next_question is not None else [])
    answers = [a for _, a in turns]
    segments: list[Segment] = []
    for index, question in enumerate(questions):
        opening = system + SEPS[0] if index == 0 else ""
        prompt = f"{opening}{human}: {question}{SEPS[0]}{assistant}:"
        segments.append(Segment(prompt, "prompt", fresh=True))
        if index < len(answers):
            # The space that follows "Assistant:" belongs to the answer: the model must learn to
            # emit it (as the "▁" of the answer's first piece), and a generation prompt ends at ":".
            segments.append(Segment(" " + answers[index], "answer", fresh=False))
            segments.append(Segment(EOS_TEXT, "eos", fresh=False))
    return segments


def render(segments: Sequence[Segment]) -> str:
    """The text of the segments, "</s>" written out (what the model card's code would tokenize)."""
    return "".join(segment.text for segment in segments)


def conversation_text(conversation: Conversation) -> str:
    """The full training text of a conversation."""
    return render(chat_segments(conversation.system, conversation.turns))


def prompt_text(question: str, history: Sequence[Turn] = (), system: str | None = None) -> str:
    """The generation prompt for `question` after `history`, ending in "Assistant:"."""
    return render(chat_segments(system, history, next_question=question))
