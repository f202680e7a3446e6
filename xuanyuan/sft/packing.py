"""Several tokenized conversations per training row of `seq_length`, with no leakage between them.

A conversation of n tokens takes n - 1 positions: inputs are its tokens 0..n-2 and labels its
tokens 1..n-1 (the trainer's convention, xuanyuan/train/loss.py: labels are the next token,
already shifted), so the last input predicts the closing EOS and nothing predicts across into
the next conversation. Per row:

  input_ids     [L]  conversations back to back, then pad_id
  labels        [L]  next-token labels, IGNORE_INDEX on masked tokens and padding
  position_ids  [L]  0, 1, ... restarting at each conversation (and at the padding), so
                           RoPE sees each conversation as if it were alone
  cu_seqlens    int32 [k+1] segment starts and L: FlashAttention varlen boundaries; the attention
                           mask that keeps conversations apart (block-diagonal causal) follows
                           from them, or from position_ids == 0
The padding is a segment of its own, so real tokens never attend to it.

Bins are planned by best-fit decreasing on lengths alone (`plan_rows`), which needs no token
data, so the plan of a large set is cheap; rows are then materialised from the plan, one at a time
(`fill_row`), in memory (`pack_conversations`) or straight to disk (`xuanyuan.sft.rows.write_stage_rows`).
Best fit keeps, per remaining capacity, a stack of open rows and the sorted list of capacities
that have one: at most L + 1 distinct values, so each placement is a bisect and a short insert.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import numpy as np

from xuanyuan.errors import UserError
from xuanyuan.sft.masking import IGNORE_INDEX, TokenizedConversation


@dataclass(frozen=True)
class PackingStats:
    """Positions used and padding, packed vs one conversation per row padded to seq_length."""

    conversations: int
    seq_length: int
    rows: int
    positions: int  # sum of (n - 1) over conversations
    learned: int  # positions with a label

    @property
    def padding(self) -> int:
        return self.rows * self.seq_length - self.positions

    @property
    def unpacked_padding(self) -> int:
        return self.conversations * self.seq_length - self.positions

    @property
    def padding_saved(self) -> int:
        return self.unpacked_padding - self.padding

    @property
    def fill(self) -> float:
        return self.positions / (self.rows * self.seq_length) if self.rows else 0.0

    def to_record(self) -> dict:
        return {
            "conversations": self.conversations,
            "seq_length": self.seq_length,
            "rows": self.rows,
            "unpacked_rows": self.conversations,
            "positions": self.positions,
            "learned_positions": self.learned,
            "padding": self.padding,
            "unpacked_padding": self.unpacked_padding,
            "padding_saved": self.padding_saved,
            "fill": round(self.fill, 6),
            "unpacked_fill": round(self.positions / (self.conversations * self.seq_length), 6) if self.conversations else 0.0,
        }


@dataclass
class PackedRows:
    input_ids: np.ndarray
    labels: np.ndarray
    position_ids: np.ndarray
    cu_seqlens: list[np.ndarray]
    members: list[list[int]]  # conversation indices (into the packer's input) per row, in order
    stats: PackingStats

    def __len__(self) -> int:
        return len(self.members)

    def sample(self, row: int) -> dict[str, np.ndarray]:
        """Row `row` in the form xuanyuan.tokdata.PackedSamples gives the trainer."""
        return {
            "input_ids": self.input_ids[row],
            "labels": self.labels[row],
            "position_ids": self.position_ids[row],
            "cu_seqlens": self.cu_seqlens[row],
        }


def positions_of(conversation: TokenizedConversation) -> int:
    """Positions a conversation takes in a row (its tokens minus one)."""
    return len(conversation.input_ids) - 1


def plan_rows(lengths: Sequence[int] | np.ndarray, seq_length: int) -> list[list[int]]:
    """Indices of `lengths` per row, best-fit decreasing (ties by index: deterministic)."""
    if seq_length < 1:
        raise ValueError(f"seq_length must be >= 1, got {seq_length}")
    lengths = np.asarray(lengths, dtype=np.int64).reshape(-1)
    # Longest first, ties by index: a stable sort of -length (no per-item key tuples for millions of items).
    order = np.argsort(-lengths, kind="stable")
    bad = (lengths < 1) | (lengths > seq_length)
    if bad.any():
        index = int(order[bad[order]][0])
        raise ValueError(
            f"conversation {index} takes {int(lengths[index])} positions, outside 1..seq_length={seq_length}; "
            "tokenize with max_length <= seq_length + 1"
        )
    rows: list[list[int]] = []
    open_rows: dict[int, list[int]] = {}  # remaining capacity -> row numbers with exactly that much room
    capacities: list[int] = []  # sorted capacities with a non-empty stack
    for index, need in zip(order.tolist(), lengths[order].tolist()):
        at = bisect_left(capacities, need)
        if at < len(capacities):
            room = capacities[at]
            row = open_rows[room].pop()
            if not open_rows[room]:
                del open_rows[room]
                capacities.pop(at)
        else:
            room, row = seq_length, len(rows)
            rows.append([])
        rows[row].append(index)
        left = room - need
        if left:
            if left not in open_rows:
                open_rows[left] = []
                insort(capacities, left)
            open_rows[left].append(row)
    return rows


def check_positions(lengths: Sequence[int] | np.ndarray, seq_length: int, name: Callable[[int], str]) -> None:
    """A UserError naming the first conversation (`name(i)`) whose positions don't fit a row, and the fix."""
    lengths = np.asarray(lengths, dtype=np.int64).reshape(-1)
    too_long = np.flatnonzero((lengths < 1) | (lengths > seq_length))
    if len(too_long):
        first = int(too_long[0])
        raise UserError(
            f"sft: conversation {name(first)} has {int(lengths[first]) + 1} tokens ({int(lengths[first])} positions), "
            f"more than a packed row of seq_length={seq_length} holds ({len(too_long)} such conversation(s)); "
            f"set sft.max_length to at most {seq_length + 1} (or null: the stage's seq_length + 1), "
            "or raise the stage's train.seq_length")


def fill_row(input_ids: np.ndarray, labels: np.ndarray, position_ids: np.ndarray,
             members: Iterable[tuple[Sequence[int] | np.ndarray, Sequence[int] | np.ndarray]],
             ramp: np.ndarray) -> np.ndarray:
    """Lay out one row (arrays already filled with pad_id / IGNORE_INDEX / anything) from its members'
    (inputs, next-token labels); the row's cu_seqlens. The one place a row's layout is decided."""
    seq_length = len(input_ids)
    start, bounds = 0, [0]
    for inputs, targets in members:
        n = len(inputs)
        input_ids[start:start + n] = inputs
        labels[start:start + n] = targets
        position_ids[start:start + n] = ramp[:n]
        start += n
        bounds.append(start)
    if start < seq_length:
        position_ids[start:] = ramp[: seq_length - start]
        bounds.append(seq_length)
    return np.array(bounds, dtype=np.int32)


def pack_conversations(conversations: Sequence[TokenizedConversation], seq_length: int, pad_id: int) -> PackedRows:
    """Pack conversations into dense int64 rows of `seq_length` positions (see the module docstring).

    Holds everything in memory: for small sets and tests. A stage writes its rows as it packs them
    (`xuanyuan.sft.rows.write_stage_rows`), with the same layout (`fill_row`).
    """
    lengths = [positions_of(c) for c in conversations]
    check_positions(lengths, seq_length, lambda i: repr(conversations[i].id))
    plan = plan_rows(lengths, seq_length)
    shape = (len(plan), seq_length)
    input_ids = np.full(shape, pad_id, dtype=np.int64)
    labels = np.full(shape, IGNORE_INDEX, dtype=np.int64)
    position_ids = np.zeros(shape, dtype=np.int64)
    ramp = np.arange(seq_length, dtype=np.int64)
    cu_seqlens = [
        fill_row(input_ids[row], labels[row], position_ids[row],
                 ((conversations[i].input_ids[:-1], conversations[i].labels[1:]) for i in members), ramp)
        for row, members in enumerate(plan)
    ]
    stats = PackingStats(
        conversations=len(conversations),
        seq_length=seq_length,
        rows=len(plan),
        positions=sum(lengths),
        learned=int((labels != IGNORE_INDEX).sum()),
    )
    return PackedRows(input_ids, labels, position_ids, cu_seqlens, plan, stats)
