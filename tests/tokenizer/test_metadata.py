import pytest

from tests.tokenizer.conftest import ADD, RANGES
from xuanyuan.tokenizer import padded_vocab_size, tokenizer_metadata


@pytest.mark.parametrize("size, multiple, padded", [(6000, 64, 6016), (6016, 64, 6016), (39000, 64, 39040), (7, 1, 7)])
def test_padded_vocab_size(size, multiple, padded):
    assert padded_vocab_size(size, multiple) == padded
    assert padded % multiple == 0 and 0 <= padded - size < multiple


def test_bad_multiple_names_the_key():
    with pytest.raises(ValueError, match="tokenizer.pad_vocab_multiple"):
        padded_vocab_size(100, 0)


def test_metadata_describes_the_expansion(tiny):
    meta = tokenizer_metadata(
        tiny.expansion, base_label="standin", cjk_ranges=RANGES, add_chars=ADD, min_char_freq=2, pad_vocab_multiple=64
    )
    assert meta["base_vocab_size"] == 600 and meta["added_chars_count"] == ADD
    assert meta["vocab_size"] == 600 + ADD and meta["padded_vocab_size"] == 704
    assert meta["padded_vocab_size"] % 64 == 0
    assert [char for char, _ in meta["added_chars"]] == list(tiny.expansion.added_chars)
    assert meta["cjk_ranges"] == [["4E00", "9FFF"], ["3400", "4DBF"], ["F900", "FAFF"]]
    assert meta["special_tokens"]["pad"] == {"piece": "<unk>", "id": 0}
    assert meta["base"]["label"] == "standin" and len(meta["base"]["sha256"]) == 64
