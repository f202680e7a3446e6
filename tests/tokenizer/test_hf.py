"""The Hugging Face directory: loads with AutoTokenizer and encodes exactly like sentencepiece.

transformers 5 has no sentencepiece-backed Llama tokenizer (LlamaTokenizer is the fast one), so
the "slow" reference is sentencepiece's own processor on the directory's tokenizer.model.
"""

import json
import warnings

import pytest

from tests.tokenizer.helpers import SAMPLES, chinese_docs, english_docs
from xuanyuan.tokenizer import processor, write_hf_tokenizer
from xuanyuan.tokenizer.hf import fast_tokenizer

transformers = pytest.importorskip("transformers")


def _auto(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return transformers.AutoTokenizer.from_pretrained(str(path))


@pytest.fixture(scope="module")
def hf_merged(tiny):
    return _auto(tiny.merged_hf)


@pytest.fixture(scope="module")
def hf_base(tiny):
    return _auto(tiny.base_hf)


def _texts():
    return list(SAMPLES) + chinese_docs() + english_docs(20, seed=5) + ["".join(chinese_docs()) * 3]


def test_directory_layout(tiny):
    names = sorted(p.name for p in tiny.merged_hf.iterdir())
    assert names == ["special_tokens_map.json", "tokenizer.json", "tokenizer.model", "tokenizer_config.json"]
    config = json.loads((tiny.merged_hf / "tokenizer_config.json").read_text())
    assert config["add_bos_token"] is True and config["add_eos_token"] is False
    assert config["pad_token"] == "<unk>"


def test_special_tokens_and_bos(hf_merged, tiny):
    assert (hf_merged.unk_token_id, hf_merged.bos_token_id, hf_merged.eos_token_id) == (0, 1, 2)
    assert hf_merged.pad_token == "<unk>" and hf_merged.pad_token_id == 0
    assert len(hf_merged) == tiny.expansion.vocab_size
    ids = hf_merged("银行 bank")["input_ids"]
    assert ids[0] == 1 and ids[-1] != 2  # BOS added, EOS not (Llama-2)
    batch = hf_merged(["a", "银行 bank rate"], padding=True)
    assert batch["input_ids"][0][-1] == 0 and batch["attention_mask"][0][-1] == 0


@pytest.mark.parametrize("which", ["base", "merged"])
def test_fast_equals_sentencepiece(which, tiny, hf_base, hf_merged):
    hf = hf_base if which == "base" else hf_merged
    sp = processor(getattr(tiny, which))
    for text in _texts():
        assert hf.encode(text, add_special_tokens=False) == sp.encode(text), repr(text)
        assert hf(text)["input_ids"] == sp.encode(text, add_bos=True), repr(text)


def test_round_trip(tiny, hf_merged):
    sp = processor(tiny.merged)
    for text in _texts():
        # The one normalisation: a literal "▁" is sentencepiece's space and comes back as " ".
        expected = text.replace("\u2581", " ")
        assert sp.decode(sp.encode(text)) == expected, repr(text)
        assert hf_merged.decode(hf_merged(text)["input_ids"], skip_special_tokens=True) == expected, repr(text)


def test_english_ids_unchanged_by_the_expansion(tiny, hf_base, hf_merged):
    base, merged = processor(tiny.base), processor(tiny.merged)
    for text in english_docs(50, seed=9) + [s for s in SAMPLES if s.isascii()]:
        assert merged.encode(text) == base.encode(text)
        assert hf_merged.encode(text) == hf_base.encode(text)


def test_unk_is_never_emitted_so_it_can_pad(tiny):
    sp = processor(tiny.merged)
    assert all(0 not in sp.encode(text) for text in _texts())


def test_literal_special_strings(hf_merged, tiny):
    # Like Llama-2's HF tokenizer, "</s>" typed in text is the EOS token by default;
    # split_special_tokens=True encodes it as text, as sentencepiece does.
    sp = processor(tiny.merged)
    text = "end</s> of <s> text"
    assert 2 in hf_merged.encode(text, add_special_tokens=False)
    assert hf_merged.encode(text, add_special_tokens=False, split_special_tokens=True) == sp.encode(text)


def test_export_is_deterministic(tmp_path, tiny):
    write_hf_tokenizer(tiny.merged, tmp_path)
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "tokenizer.model"):
        assert (tmp_path / name).read_bytes() == (tiny.merged_hf / name).read_bytes()


def test_unsupported_normalizer_is_refused(tiny):
    from xuanyuan.tokenizer import load_model_proto

    proto = load_model_proto(tiny.base)
    proto.normalizer_spec.remove_extra_whitespaces = True
    with pytest.raises(ValueError, match="remove_extra_whitespaces"):
        fast_tokenizer(proto)
