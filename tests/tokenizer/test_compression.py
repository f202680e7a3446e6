from tests.tokenizer.conftest import RANGES
from xuanyuan.tokenizer import compression_stats, compression_table, processor


def test_stats_on_a_toy_encoder():
    # One id per character: easy to count by hand.
    stats = compression_stats(lambda text: list(range(len(text))), ["中文 ab", "xyz", ""], RANGES)
    assert stats["docs"] == 3 and stats["chars"] == 8 and stats["tokens"] == 8
    assert stats["zh_chars"] == 2 and stats["zh_tokens"] == 2
    assert stats["chars_per_token"] == 1.0 and stats["tokens_per_zh_char"] == 1.0
    assert compression_stats(lambda text: [], [], RANGES)["chars_per_token"] is None


def test_expansion_brings_added_chars_to_one_token_each(tiny):
    text = "".join(tiny.expansion.added_chars)
    before = compression_stats(processor(tiny.base).encode, [text], RANGES)
    after = compression_stats(processor(tiny.merged).encode, [text], RANGES)
    assert before["tokens_per_zh_char"] >= 3.0
    # One token per character plus one dummy-prefix "▁" for the text.
    assert after["zh_tokens"] == len(text) + 1


def test_table_has_one_line_per_set():
    stats = {"docs": 2, "chars": 100, "tokens": 50, "zh_chars": 80, "zh_tokens": 240,
             "chars_per_token": 2.0, "tokens_per_zh_char": 3.0}
    after = dict(stats, tokens=25, zh_tokens=81, chars_per_token=4.0, tokens_per_zh_char=81 / 80)
    table = compression_table([{"set": "zh/finance", "before": stats, "after": after}])
    lines = table.strip().splitlines()
    assert len(lines) == 3 and lines[2].startswith("| zh/finance | 2 | 100 | 80 | 50 | 25 | -50.0% | 2.000 | 4.000 | 3.000 | 1.012 |")
