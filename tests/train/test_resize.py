"""Vocabulary resize: new rows = mean of the base rows of the character's base pieces."""

import pytest
import torch

from xuanyuan.tokenizer import processor
from xuanyuan.train.model import build_standin
from xuanyuan.train.resize import base_pieces, load_expansion, resize_to_expanded
from xuanyuan.train.settings import tiny_cpu


def _model(vocab):
    model_settings, _ = tiny_cpu()
    return build_standin(model_settings, vocab, seed=0)


@pytest.mark.parametrize("pad_rows", ["mean", "zeros"])
def test_new_rows_are_piece_means_and_base_rows_unchanged(tiny, pad_rows):
    meta = load_expansion(tiny.expanded)
    model = _model(tiny.base_vocab)
    before_embed = model.get_input_embeddings().weight.detach().clone()
    before_head = model.get_output_embeddings().weight.detach().clone()
    report = resize_to_expanded(model, tiny.expanded, pad_rows=pad_rows)

    base, vocab, padded = meta["base_vocab_size"], meta["vocab_size"], meta["padded_vocab_size"]
    assert report["added"] == vocab - base > 0
    assert padded % 64 == 0 and padded > vocab
    embed = model.get_input_embeddings().weight.detach()
    head = model.get_output_embeddings().weight.detach()
    assert embed.shape[0] == head.shape[0] == padded == model.config.vocab_size
    assert torch.equal(embed[:base], before_embed) and torch.equal(head[:base], before_head)

    sp = processor(tiny.base_model)
    for k, (char, _count) in enumerate(meta["added_chars"]):
        pieces = base_pieces(sp, char)
        # The English-only stand-in spells a Chinese character as its 3 UTF-8 byte pieces.
        assert [sp.id_to_piece(i) for i in pieces] == [f"<0x{b:02X}>" for b in char.encode("utf-8")]
        expected_e = before_embed[pieces].double().mean(0).float()
        expected_h = before_head[pieces].double().mean(0).float()
        assert torch.equal(embed[base + k], expected_e)
        assert torch.equal(head[base + k], expected_h)

    if pad_rows == "mean":
        assert torch.equal(embed[vocab:], before_embed.double().mean(0).float().expand(padded - vocab, -1))
    else:
        assert not embed[vocab:].any() and not head[vocab:].any()


def test_resized_model_runs_on_expanded_ids(tiny):
    model = _model(tiny.base_vocab)
    resize_to_expanded(model, tiny.expanded)
    ids = torch.tensor([[1, 5, model.config.vocab_size - 1]])
    assert model(input_ids=ids).logits.shape[-1] == model.config.vocab_size


def test_bad_pad_rows_and_missing_metadata(tiny, tmp_path):
    with pytest.raises(ValueError, match="pad_rows"):
        resize_to_expanded(_model(tiny.base_vocab), tiny.expanded, pad_rows="random")
    with pytest.raises(FileNotFoundError, match="rerun the tokenizer rule"):
        resize_to_expanded(_model(tiny.base_vocab), tmp_path)


def test_a_model_whose_rows_are_not_the_base_tokenizers_pieces_is_refused(tiny):
    """Row i must be base piece i: a model of another tokenizer would get new rows averaged from the wrong pieces
    (fewer rows) or lose its rows past the base vocabulary (more)."""
    from xuanyuan.errors import UserError

    for rows in (tiny.base_vocab - 8, tiny.base_vocab + 8):
        with pytest.raises(UserError, match=f"has {rows} embedding rows and the base tokenizer .* {tiny.base_vocab} "
                                            "pieces: set tokenizer.base_model"):
            resize_to_expanded(_model(rows), tiny.expanded)
