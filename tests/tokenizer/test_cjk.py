import pytest

from xuanyuan.tokenizer import count_cjk_chars, is_heldout, parse_cjk_ranges
from xuanyuan.tokenizer.cjk import format_cjk_ranges

from tests.tokenizer.conftest import RANGES


def test_ranges_parse_and_format_round_trip():
    pairs = [["4E00", "9FFF"], ["3400", "4DBF"], ["F900", "FAFF"]]
    assert parse_cjk_ranges(pairs) == ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0xF900, 0xFAFF))
    assert format_cjk_ranges(parse_cjk_ranges(pairs)) == pairs


@pytest.mark.parametrize("bad", [[["9FFF", "4E00"]], [["4E00"]], [["zz", "9FFF"]], [["4E00", "110000"]]])
def test_bad_ranges_name_the_key(bad):
    with pytest.raises(ValueError, match="tokenizer.cjk_ranges"):
        parse_cjk_ranges(bad)


def test_counts_only_chars_inside_the_ranges():
    counts = count_cjk_chars(["中国，中文。ABC 123", "㐀丽", "😀"], RANGES)
    # Full-width punctuation, Latin, digits and emoji are outside; U+3400 and U+F900 block members are in.
    assert counts == {"中": 2, "国": 1, "文": 1, "㐀": 1, "丽": 1}
    assert count_cjk_chars(["中文"], ()) == {}


def test_heldout_split_is_stable_and_about_the_fraction():
    ids = [f"doc-{i}" for i in range(20000)]
    held = [i for i in ids if is_heldout(i, 0.05)]
    assert 0.04 < len(held) / len(ids) < 0.06
    assert held == [i for i in ids if is_heldout(i, 0.05)]
    # A larger fraction only adds documents: nothing moves back to the fitting side.
    assert set(held) <= {i for i in ids if is_heldout(i, 0.2)}
