"""Held-out perplexity: deterministic, per set, token- and character-normalised."""

from tests.train.conftest import chinese, english
from xuanyuan.train.perplexity import _windows, model_perplexity


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
