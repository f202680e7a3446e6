"""Held-out perplexity: deterministic, per set, token- and character-normalised."""

import math

import pytest

from tests.train.conftest import chinese, english
from xuanyuan.train.perplexity import _windows, document_tokens, model_perplexity, perplexity_of


def test_windows_predict_every_token_once_with_positions_reset_per_document():
    docs = [[5, 6, 7, 2], [8, 9, 2]]
    windows = _windows(docs, window=3)
    predicted = sum(len(tokens) - 1 for tokens, _ in windows)
    assert predicted == 7 - 1
    assert [list(p) for _, p in windows] == [[0, 1, 2, 3], [0, 0, 1, 2]]


def test_perplexity_is_deterministic_and_per_set(stage1_fp32):
    sets = {"zh": chinese(6, seed=9), "en": english(6, seed=9)}
    first = model_perplexity(stage1_fp32[0], sets, window=32, max_docs=4)
    again = model_perplexity(stage1_fp32[0], sets, window=32, max_docs=4)
    assert first == again
    for name in sets:
        assert first[name]["docs"] == 4 and first[name]["ppl_token"] > 1 and first[name]["ppl_char"] > 1


@pytest.mark.parametrize("bos", [True, False], ids=["bos", "eos_only"])
def test_documents_are_laid_out_exactly_as_the_tokenize_stage_stored_them(tiny, tmp_path, bos):
    from transformers import AutoTokenizer

    from xuanyuan.tokdata import IndexedDataset, document_bos_id, tokenize_documents

    tokenizer = AutoTokenizer.from_pretrained(tiny.expanded)
    texts = chinese(5, seed=4) + english(5, seed=4) + ["", "literal <s> and </s> stay text"]
    records = [{"id": f"d{i}", "text": t, "lang": "zh", "domain": "general", "source": "s"}
               for i, t in enumerate(texts)]
    tokenize_documents(records, tokenizer, tmp_path / "pair", batch_docs=4, eos_id=tokenizer.eos_token_id,
                       bos_id=document_bos_id(tokenizer, bos))
    stored = IndexedDataset(tmp_path / "pair")
    docs = document_tokens(tokenizer, texts, bos=bos)
    assert docs == [stored.doc(i).tolist() for i in range(len(texts))]
    assert all((doc[0] == tokenizer.bos_token_id) == bos and doc[-1] == tokenizer.eos_token_id for doc in docs)
    assert all(tokenizer.bos_token_id not in doc[1:] for doc in docs)  # "<s>" in a text is text


def test_windows_start_every_document_with_bos(tiny):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny.expanded)
    docs = document_tokens(tokenizer, chinese(6, seed=5) + english(6, seed=5))
    windows = _windows(docs, window=16)
    starts = [(tokens[1:][pos[1:] == 0]) for tokens, pos in windows]  # document starts inside each window
    assert sum(len(s) for s in starts) == len(docs) - 1
    assert all((s == tokenizer.bos_token_id).all() for s in starts)
    assert windows[0][0][0] == tokenizer.bos_token_id  # the first document too: its first text token is predicted


def test_bos_is_given_never_scored(stage1_fp32):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(stage1_fp32[0])
    model = AutoModelForCausalLM.from_pretrained(stage1_fp32[0], dtype=torch.float32).eval()
    texts = chinese(3, seed=6) + english(3, seed=6)
    text_and_eos = sum(len(tokenizer(t, add_special_tokens=False)["input_ids"]) + 1 for t in texts)
    with_bos = perplexity_of(model, tokenizer, texts, window=32)  # the default: tokenize.bos true
    eos_only = perplexity_of(model, tokenizer, texts, window=32, bos=False)
    # With BOS every text token and EOS is predicted once (the first from the BOS); without, all but the first.
    assert with_bos["tokens"] == text_and_eos and eos_only["tokens"] == text_and_eos - 1
    assert with_bos["chars"] == eos_only["chars"] == sum(len(t) for t in texts)
    assert with_bos["ppl_char"] == pytest.approx(math.exp(with_bos["nll"] / with_bos["chars"]))
