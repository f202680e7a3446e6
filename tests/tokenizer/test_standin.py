import hashlib

import pytest

from tests.tokenizer.helpers import english_docs
from xuanyuan.tokenizer import load_model_proto, processor, train_standin
from xuanyuan.tokenizer.spmodel import BPE, PieceType
from xuanyuan.tokenizer.standin import training_sentences


def test_trainer_spec_is_llama2_like(tiny):
    proto = load_model_proto(tiny.base)
    spec, norm = proto.trainer_spec, proto.normalizer_spec
    assert spec.model_type == BPE and spec.byte_fallback and spec.split_digits
    assert (spec.unk_id, spec.bos_id, spec.eos_id, spec.pad_id) == (0, 1, 2, -1)
    assert [p.piece for p in proto.pieces[:3]] == ["<unk>", "<s>", "</s>"]
    assert norm.name == "identity" and norm.add_dummy_prefix and not norm.remove_extra_whitespaces
    assert [p.piece for p in proto.pieces[3:259]] == [f"<0x{b:02X}>" for b in range(256)]
    assert all(p.type == PieceType.BYTE for p in proto.pieces[3:259])
    assert len(proto.pieces) == 600


def test_chinese_falls_back_to_bytes_in_the_standin(tiny):
    sp = processor(tiny.base)
    pieces = sp.encode("银行", out_type=str)
    assert pieces == ["▁"] + [f"<0x{b:02X}>" for b in "银行".encode("utf-8")]
    assert sp.decode(sp.encode("银行")) == "银行"


def test_digits_are_split(tiny):
    sp = processor(tiny.base)
    assert [p for p in sp.encode("12345", out_type=str) if p != "▁"] == list("12345")


def test_standin_is_deterministic(tmp_path, tiny):
    again = train_standin(english_docs(), tmp_path, vocab_size=600, character_coverage=1.0, max_sentences=5000)
    assert hashlib.sha256(again.read_bytes()).digest() == hashlib.sha256(tiny.base.read_bytes()).digest()


def test_max_sentences_limits_the_input(tmp_path, tiny):
    fewer = train_standin(english_docs(), tmp_path, vocab_size=600, character_coverage=1.0, max_sentences=300)
    assert fewer.read_bytes() != tiny.base.read_bytes()


def test_long_lines_are_cut_at_spaces_within_the_byte_limit():
    line = " ".join(["word"] * 50) + " " + "中" * 40
    chunks = list(training_sentences([line, "\n  \n", "short"], max_bytes=64))
    assert all(len(chunk.encode("utf-8")) <= 64 for chunk in chunks)
    assert chunks[-1] == "short"
    assert "".join(chunks[:-1]).replace(" ", "") == line.replace(" ", "")


def test_no_text_and_too_big_vocab_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="no English text"):
        train_standin(["", "  \n"], tmp_path, vocab_size=600, character_coverage=1.0, max_sentences=100)
    with pytest.raises(ValueError, match="tokenizer.standin.vocab_size"):
        train_standin(["tiny text only"], tmp_path, vocab_size=5000, character_coverage=1.0, max_sentences=100)
