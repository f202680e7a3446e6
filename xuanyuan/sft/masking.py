"""Conversation -> `input_ids` and `labels` with the loss on the answers only.

labels[i] is input_ids[i] where the token is learned and IGNORE_INDEX (-100) elsewhere, aligned
with input_ids (the Hugging Face convention; `xuanyuan.sft.packing` shifts them to the trainer's
next-token labels). Learned: every assistant answer, including the space after "Assistant:"
(the "▁" of its first piece), and the EOS that closes it, so the model learns to stop. Not
learned: BOS, the system message, every human turn and the role markers " Human: " and
" Assistant:". Padding is never part of a tokenized conversation; the packer adds it with
IGNORE_INDEX labels. (The public XuanYuan training code masked the closing EOS and trained on
padding; both are wrong for a chat model.)

Conversations longer than `max_length` tokens are dropped (overflow "drop") or cut after the last
whole turn that fits (overflow "truncate": an answer is never cut, so every kept turn still ends
in its EOS; a conversation whose first turn alone is too long is dropped). Both are recorded.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Literal, Sequence

from xuanyuan.sft.conversation import Conversation, Turn
from xuanyuan.sft.segments import SegmentEncoder
from xuanyuan.sft.template import Segment, chat_segments

IGNORE_INDEX = -100  # the value xuanyuan.train.loss ignores (and Hugging Face's default)
Overflow = Literal["drop", "truncate"]
OVERFLOWS = ("drop", "truncate")

TOO_LONG = "too_long"
FIRST_TURN_TOO_LONG = "first_turn_too_long"


@dataclass(frozen=True)
class TokenizedConversation:
    id: str
    input_ids: list[int]
    labels: list[int]
    turns: int  # turns kept
    turns_total: int

    def __len__(self) -> int:
        return len(self.input_ids)

    @property
    def learned(self) -> int:
        return sum(label != IGNORE_INDEX for label in self.labels)


@dataclass(frozen=True)
class Overflowed:
    """A conversation longer than max_length: dropped, or truncated to `kept_tokens` (0 when dropped)."""

    id: str
    reason: str  # TOO_LONG (truncated or dropped whole) or FIRST_TURN_TOO_LONG
    tokens: int
    kept_tokens: int
    turns_total: int
    turns_kept: int

    def to_record(self) -> dict:
        return dict(self.__dict__)


def encode_segments(segments: Sequence[Segment], encoder: SegmentEncoder) -> tuple[list[int], list[int]]:
    """(input_ids, labels) of segments, BOS first; the single place ids and the loss mask are made."""
    input_ids, labels = [encoder.bos_id], [IGNORE_INDEX]
    for segment in segments:
        ids = encoder.encode(segment)
        input_ids += ids
        labels += ids if segment.kind in ("answer", "eos") else [IGNORE_INDEX] * len(ids)
    return input_ids, labels


def prompt_ids(encoder: SegmentEncoder, question: str, history: Sequence[Turn] = (), system: str | None = None) -> list[int]:
    """Ids of the generation prompt (inference and evaluation): the same segments as training, open at "Assistant:"."""
    return encode_segments(chat_segments(system, history, next_question=question), encoder)[0]


def tokenize_conversation(
    conversation: Conversation, encoder: SegmentEncoder, *, max_length: int, overflow: Overflow
) -> tuple[TokenizedConversation | None, Overflowed | None]:
    """The tokenized conversation (None when dropped) and, when it was longer than max_length, the record of it."""
    if overflow not in OVERFLOWS:
        raise ValueError(f"overflow must be one of {OVERFLOWS}, got {overflow!r}")
    segments = chat_segments(conversation.system, conversation.turns)
    input_ids, labels = encode_segments(segments, encoder)
    total_turns = len(conversation.turns)
    if len(input_ids) <= max_length:
        return TokenizedConversation(conversation.id, input_ids, labels, total_turns, total_turns), None
    record = dict(id=conversation.id, tokens=len(input_ids), turns_total=total_turns)
    if overflow == "drop":
        return None, Overflowed(reason=TOO_LONG, kept_tokens=0, turns_kept=0, **record)
    # Turn ends: each turn is three segments (prompt, answer, eos), so its last token follows the eos.
    end, ends = 1, []
    for segment in segments:
        end += 1 if segment.kind == "eos" else len(encoder.encode(segment))
        if segment.kind == "eos":
            ends.append(end)
    fitting = [n for n in ends if n <= max_length]
    if not fitting:
        return None, Overflowed(reason=FIRST_TURN_TOO_LONG, kept_tokens=0, turns_kept=0, **record)
    cut = fitting[-1]
    kept = TokenizedConversation(conversation.id, input_ids[:cut], labels[:cut], len(fitting), total_turns)
    return kept, Overflowed(reason=TOO_LONG, kept_tokens=cut, turns_kept=len(fitting), **record)


@dataclass
class TokenizeReport:
    conversations: int = 0
    kept: int = 0
    truncated: int = 0
    dropped: int = 0
    tokens: int = 0
    learned_tokens: int = 0
    overflowed: list[Overflowed] = field(default_factory=list)

    def add(self, tokenized: TokenizedConversation | None, overflowed: Overflowed | None) -> None:
        """Count one conversation: kept whole, truncated, or dropped."""
        self.conversations += 1
        if overflowed is not None:
            self.overflowed.append(overflowed)
        if tokenized is None:
            self.dropped += 1
            return
        self.truncated += overflowed is not None
        self.kept += 1
        self.tokens += len(tokenized)
        self.learned_tokens += tokenized.learned

    def counts(self) -> dict:
        return {
            "conversations": self.conversations,
            "kept": self.kept,
            "truncated": self.truncated,
            "dropped": self.dropped,
            "dropped_by_reason": dict(Counter(o.reason for o in self.overflowed if o.kept_tokens == 0)),
            "tokens": self.tokens,
            "learned_tokens": self.learned_tokens,
        }


def tokenize_conversations(
    conversations: Iterable[Conversation], encoder: SegmentEncoder, *, max_length: int, overflow: Overflow
) -> tuple[list[TokenizedConversation], TokenizeReport]:
    """Tokenize all conversations; the report counts and lists every drop and truncation."""
    kept: list[TokenizedConversation] = []
    report = TokenizeReport()
    for conversation in conversations:
        tokenized, overflowed = tokenize_conversation(conversation, encoder, max_length=max_length, overflow=overflow)
        report.add(tokenized, overflowed)
        if tokenized is not None:
            kept.append(tokenized)
    return kept, report
