"""Loss on answers only, checked token by token; max_length drop and truncation."""

from __future__ import annotations

import pytest

from xuanyuan.sft import IGNORE_INDEX, Conversation, chat_segments, tokenize_conversation, tokenize_conversations
from xuanyuan.train.loss import IGNORE_INDEX as TRAINER_IGNORE_INDEX

ONE = Conversation(None, (("What is a bond?", "A loan to a company or government."),), "t", "one")
TWO = Conversation(None, (("什么是市盈率？", "市盈率是股价除以每股收益。"), ("Give an example.", "Price 20, earnings 2: ratio 10.")),
                   "t", "two")


def expected_mask(conversation, encoder) -> tuple[list[int], list[bool]]:
    """Ids and learned flags built independently: per segment, learned iff it is an answer or its EOS."""
    ids, learned = [encoder.bos_id], [False]
    for segment in chat_segments(conversation.system, conversation.turns):
        seg_ids = encoder.encode(segment)
        ids += seg_ids
        learned += [segment.kind != "prompt"] * len(seg_ids)
    return ids, learned


def runs(flags):
    """[(start, end)] of the maximal runs of True."""
    out, start = [], None
    for i, flag in enumerate(flags + [False]):
        if flag and start is None:
            start = i
        if not flag and start is not None:
            out.append((start, i))
            start = None
    return out


def test_ignore_index_is_the_trainers():
    assert IGNORE_INDEX == TRAINER_IGNORE_INDEX == -100


@pytest.mark.parametrize("conversation", [ONE, TWO], ids=["single", "multi"])
def test_mask_token_by_token(conversation, encoder, hf_tokenizer):
    tokenized, overflow = tokenize_conversation(conversation, encoder, max_length=10_000, overflow="drop")
    assert overflow is None
    ids, learned = expected_mask(conversation, encoder)
    assert tokenized.input_ids == ids
    for position, (token, label, flag) in enumerate(zip(tokenized.input_ids, tokenized.labels, learned)):
        assert label == (token if flag else IGNORE_INDEX), f"position {position}"
    # One learned run per turn: the answer (its leading "▁" included) and its closing EOS, which is learned.
    answer_runs = runs([label != IGNORE_INDEX for label in tokenized.labels])
    assert len(answer_runs) == len(conversation.turns)
    for (start, end), (question, answer) in zip(answer_runs, conversation.turns):
        assert tokenized.labels[end - 1] == encoder.eos_id
        assert hf_tokenizer.decode(tokenized.input_ids[start:end - 1]) == answer
        # The masked token right before the answer closes the role marker "Assistant:".
        assert hf_tokenizer.decode(tokenized.input_ids[:start]).endswith(f"Human: {question} Assistant:")
    # Everything else is masked: BOS, system message, human turns, role markers; and no padding is present.
    assert tokenized.labels[0] == IGNORE_INDEX
    masked_text = hf_tokenizer.decode([t for t, l in zip(tokenized.input_ids, tokenized.labels) if l == IGNORE_INDEX],
                                      skip_special_tokens=True)
    assert "以下是用户和人工智能助手之间的对话" in masked_text and "Assistant:" in masked_text
    assert all(answer not in masked_text for _, answer in conversation.turns)
    assert encoder.pad_id not in tokenized.input_ids or encoder.pad_id in tokenized.labels


def test_overflow_truncates_at_whole_turns_and_records_it(encoder):
    full, _ = tokenize_conversation(TWO, encoder, max_length=10_000, overflow="drop")
    first_only = Conversation(None, TWO.turns[:1], "t", "first")
    first, _ = tokenize_conversation(first_only, encoder, max_length=10_000, overflow="drop")
    limit = len(full) - 1
    kept, record = tokenize_conversation(TWO, encoder, max_length=limit, overflow="truncate")
    assert kept.input_ids == first.input_ids and kept.labels == first.labels  # cut after the first EOS
    assert kept.labels[-1] == encoder.eos_id and (kept.turns, kept.turns_total) == (1, 2)
    assert (record.reason, record.tokens, record.kept_tokens, record.turns_kept) == ("too_long", len(full), len(first), 1)

    dropped, record = tokenize_conversation(TWO, encoder, max_length=limit, overflow="drop")
    assert dropped is None and (record.reason, record.kept_tokens) == ("too_long", 0)

    dropped, record = tokenize_conversation(TWO, encoder, max_length=len(first) - 1, overflow="truncate")
    assert dropped is None and record.reason == "first_turn_too_long"


def test_tokenize_conversations_report(encoder):
    full, _ = tokenize_conversation(TWO, encoder, max_length=10_000, overflow="drop")
    kept, report = tokenize_conversations([ONE, TWO], encoder, max_length=len(full) - 1, overflow="truncate")
    counts = report.counts()
    assert (counts["conversations"], counts["kept"], counts["truncated"], counts["dropped"]) == (2, 2, 1, 0)
    assert counts["tokens"] == sum(len(k) for k in kept) and counts["learned_tokens"] == sum(k.learned for k in kept)
    assert [o.id for o in report.overflowed] == ["two"]


def test_unknown_overflow_mode_is_refused(encoder):
    with pytest.raises(ValueError, match="overflow"):
        tokenize_conversation(ONE, encoder, max_length=10, overflow="cut")
