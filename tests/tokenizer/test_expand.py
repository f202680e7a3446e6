from collections import Counter

import pytest

from tests.tokenizer.conftest import ADD, RANGES
from tests.tokenizer.helpers import chinese_docs
from xuanyuan.tokenizer import count_cjk_chars, expand_tokenizer, load_model_proto, processor
from xuanyuan.tokenizer.expand import select_chars
from xuanyuan.tokenizer.spmodel import PieceType


def test_base_pieces_keep_id_score_and_type(tiny):
    base, merged = load_model_proto(tiny.base), load_model_proto(tiny.merged)
    assert len(merged.pieces) == len(base.pieces) + ADD
    for index, piece in enumerate(base.pieces):
        new = merged.pieces[index]
        assert (new.piece, new.score, new.type) == (piece.piece, piece.score, piece.type)
    assert merged.trainer_spec == base.trainer_spec and merged.normalizer_spec == base.normalizer_spec


def test_added_pieces_are_the_most_frequent_chars_in_order(tiny):
    counts = count_cjk_chars(chinese_docs(), RANGES)
    expected = sorted(counts.items(), key=lambda item: (-item[1], ord(item[0])))[:ADD]
    merged = load_model_proto(tiny.merged)
    added = merged.pieces[len(merged.pieces) - ADD:]
    assert [p.piece for p in added] == [char for char, _ in expected] == list(tiny.expansion.added_chars)
    assert list(tiny.expansion.added_counts) == [count for _, count in expected]
    assert all(p.type == PieceType.NORMAL for p in added)
    lowest = min(p.score for p in load_model_proto(tiny.base).pieces)
    assert [p.score for p in added] == [lowest - 1 - i for i in range(ADD)]


def test_selection_rules():
    counts = Counter({"乙": 5, "甲": 5, "丙": 9, "丁": 1, "戊": 3})
    chosen, already = select_chars(counts, {"丙"}, add_chars=2, min_char_freq=2)
    # 丙 is a piece already; 甲 (U+7532) and 乙 (U+4E59) tie, the lower code point first; 丁 is too rare.
    assert chosen == [("乙", 5), ("甲", 5)] and already == 1
    assert select_chars(counts, set(), add_chars=0, min_char_freq=1) == ([], 0)
    with pytest.raises(ValueError, match="single characters"):
        select_chars({"中国": 3}, set(), add_chars=1, min_char_freq=1)


def test_added_char_replaces_its_byte_pieces(tiny):
    base, merged = processor(tiny.base), processor(tiny.merged)
    char = tiny.expansion.added_chars[0]
    assert len([p for p in base.encode(char, out_type=str) if p.startswith("<0x")]) == len(char.encode("utf-8"))
    assert merged.encode(char, out_type=str) == ["▁", char]
    assert merged.encode(char)[-1] == tiny.expansion.base_vocab_size


def test_chars_not_added_still_round_trip_via_bytes(tiny):
    merged = processor(tiny.merged)
    counts = count_cjk_chars(chinese_docs(), RANGES)
    left_out = sorted(set(counts) - set(tiny.expansion.added_chars))
    assert left_out
    text = "".join(left_out) + "龘𠀀"
    pieces = merged.encode(text, out_type=str)
    assert not set(pieces) & set(left_out)
    assert merged.decode(merged.encode(text)) == text
    # Every Chinese character of the corpus text decodes back, added or not.
    for doc in chinese_docs():
        assert merged.decode(merged.encode(doc)) == doc


def test_expansion_is_deterministic(tmp_path, tiny):
    counts = count_cjk_chars(chinese_docs(), RANGES)
    again = expand_tokenizer(tiny.base, counts, tmp_path / "tokenizer.model", add_chars=ADD, min_char_freq=2)
    assert again.model_path.read_bytes() == tiny.merged.read_bytes()


def test_expanding_an_expanded_model_skips_present_chars(tmp_path, tiny):
    counts = count_cjk_chars(chinese_docs(), RANGES)
    twice = expand_tokenizer(tiny.merged, counts, tmp_path / "tokenizer.model", add_chars=ADD, min_char_freq=2)
    assert twice.already_in_base == ADD
    assert not set(twice.added_chars) & set(tiny.expansion.added_chars)


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "does not exist"),
        (b"", "not a SentencePiece model"),
        (b'{"model": {"type": "BPE"}}', "not a SentencePiece model"),
        ("a plain text file\n".encode(), "not a SentencePiece model"),
    ],
)
def test_bad_base_model_is_a_clear_error(tmp_path, content, message):
    path = tmp_path / "tokenizer.model"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ValueError, match=message) as error:
        expand_tokenizer(path, {"中": 3}, tmp_path / "out.model", add_chars=1, min_char_freq=1)
    assert str(path) in str(error.value) and "tokenizer.base_model" in str(error.value)


def test_directory_or_unigram_base_is_a_clear_error(tmp_path, tiny):
    with pytest.raises(ValueError, match="is a directory"):
        load_model_proto(tmp_path)
    proto = load_model_proto(tiny.base)
    proto.trainer_spec.model_type = proto.trainer_spec.UNIGRAM
    path = tmp_path / "unigram.model"
    path.write_bytes(proto.SerializeToString())
    with pytest.raises(ValueError, match="UNIGRAM"):
        load_model_proto(path)
