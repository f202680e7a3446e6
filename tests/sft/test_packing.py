"""Packing: rows, positions, boundaries, padding saved, and packed loss == unpacked loss."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from xuanyuan.errors import UserError
from xuanyuan.sft import IGNORE_INDEX, TokenizedConversation, pack_conversations, plan_rows


def fake(n: int, seed: int, learn_from: int = 3) -> TokenizedConversation:
    """A conversation of n tokens whose tokens from `learn_from` on are learned."""
    rng = np.random.default_rng(seed)
    ids = [1] + rng.integers(3, 90, n - 1).tolist()
    labels = [IGNORE_INDEX] * learn_from + ids[learn_from:]
    return TokenizedConversation(f"c{seed}", ids, labels, 1, 1)


def test_plan_is_best_fit_decreasing_and_places_everything_once():
    lengths = [5, 9, 2, 7, 3, 4, 10, 1]
    rows = plan_rows(lengths, 10)
    assert sorted(i for row in rows for i in row) == list(range(len(lengths)))
    assert all(sum(lengths[i] for i in row) <= 10 for row in rows)
    assert len(rows) == 5 == -(-sum(lengths) // 10)  # as few rows as the total allows
    assert plan_rows(lengths, 10) == rows


def test_too_long_conversation_is_an_error():
    with pytest.raises(ValueError, match="max_length"):
        plan_rows([11], 10)
    # Packing names the conversation and the config keys that fix it.
    with pytest.raises(UserError, match=r"conversation 'c7' has 12 tokens .* seq_length=10.*sft.max_length to at most 11"):
        pack_conversations([fake(5, 1), fake(12, 7)], seq_length=10, pad_id=0)


def test_rows_positions_labels_and_boundaries():
    conversations = [fake(6, 0), fake(4, 1), fake(9, 2)]
    packed = pack_conversations(conversations, seq_length=10, pad_id=0)
    assert packed.input_ids.shape == (2, 10)
    for row, members in enumerate(packed.members):
        bounds = packed.cu_seqlens[row]
        for k, index in enumerate(members):
            c, (a, b) = conversations[index], bounds[k:k + 2]
            assert b - a == len(c) - 1
            assert packed.input_ids[row, a:b].tolist() == c.input_ids[:-1]
            assert packed.labels[row, a:b].tolist() == c.labels[1:]  # next-token labels, as the trainer takes them
            assert packed.position_ids[row, a:b].tolist() == list(range(b - a))
        end = bounds[len(members)]
        assert (packed.labels[row, end:] == IGNORE_INDEX).all() and (packed.input_ids[row, end:] == 0).all()
        assert (packed.position_ids[row] == 0).sum() == len(bounds) - 1  # a restart per segment, padding included
    stats = packed.stats.to_record()
    assert stats["positions"] == 5 + 3 + 8 and stats["rows"] == 2 and stats["padding"] == 4
    assert stats["unpacked_padding"] == 30 - 16 and stats["padding_saved"] == 10
    assert packed.sample(0)["cu_seqlens"].dtype == np.int32


def block_causal_mask(position_ids: torch.Tensor) -> torch.Tensor:
    """[B, 1, L, L] additive mask: causal, and only within the segment that position_ids restart at 0."""
    segment = (position_ids == 0).cumsum(-1)
    length = position_ids.shape[-1]
    causal = torch.ones(length, length, dtype=torch.bool).tril()
    allowed = (segment[:, :, None] == segment[:, None, :]) & causal
    return torch.zeros(allowed.shape, dtype=torch.float32).masked_fill(~allowed, torch.finfo(torch.float32).min)[:, None]


def test_packed_loss_equals_unpacked_loss():
    from transformers import LlamaConfig, LlamaForCausalLM

    from xuanyuan.train.loss import token_losses

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=96, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=128)
    model = LlamaForCausalLM(config).eval()
    conversations = [fake(n, seed, learn_from=n // 3) for seed, n in enumerate((17, 5, 30, 12, 9, 22, 3, 14))]

    with torch.no_grad():
        total, count = torch.zeros(()), torch.zeros((), dtype=torch.long)
        for c in conversations:  # one conversation at a time, no padding, no packing
            ids = torch.tensor([c.input_ids])
            labels = torch.tensor([c.labels[1:] + [IGNORE_INDEX]])
            loss_sum, n = token_losses(model(input_ids=ids).logits, labels)
            total, count = total + loss_sum, count + n
        unpacked = total / count

        packed = pack_conversations(conversations, seq_length=40, pad_id=0)
        assert len(packed) < len(conversations)
        position_ids = torch.from_numpy(packed.position_ids)
        logits = model(input_ids=torch.from_numpy(packed.input_ids), position_ids=position_ids,
                       attention_mask=block_causal_mask(position_ids)).logits
        loss_sum, n = token_losses(logits, torch.from_numpy(packed.labels))
    assert int(n) == int(count) == packed.stats.learned
    assert abs(float(loss_sum / n) - float(unpacked)) < 1e-3
