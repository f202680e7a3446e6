"""Bad inputs end in a QuantizeError that names the file and the fix, before any backend runs."""

import json
import shutil

import pytest

from xuanyuan.errors import UserError
from xuanyuan.quantize import (
    CalibrationError, ModelDirError, QuantizeError, SettingsError, UnsupportedModelError, calibration_windows,
    load_quantized, quantize_settings, quantize_variant, tiny_cpu,
)


def test_missing_directory_names_the_path(tmp_path):
    with pytest.raises(ModelDirError, match=str(tmp_path / "nope")) as err:
        load_quantized(tmp_path / "nope")
    assert isinstance(err.value, UserError) and "fix the path" in str(err.value)


def test_directory_without_config_names_config_json(tmp_path):
    with pytest.raises(ModelDirError, match="config.json: missing"):
        quantize_variant("int8", tmp_path, tmp_path / "out", tiny_cpu())


def test_non_llama_model_is_refused_naming_its_type(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"]}))
    with pytest.raises(UnsupportedModelError, match=r"config.json: model_type is 'gpt2'.*Llama"):
        quantize_variant("nf4", tmp_path, tmp_path / "out", tiny_cpu())


def test_missing_weights_and_tokenizer_are_named(tiny_llama, tmp_path):
    copy = tmp_path / "m"
    shutil.copytree(tiny_llama, copy)
    (copy / "tokenizer.json").unlink()
    with pytest.raises(ModelDirError, match="no tokenizer"):
        quantize_variant("int8", copy, tmp_path / "out", tiny_cpu())
    (copy / "model.safetensors").unlink()
    with pytest.raises(ModelDirError, match="no weights"):
        quantize_variant("int8", copy, tmp_path / "out", tiny_cpu())


def test_gptq_without_texts_and_unknown_variant_are_errors(tiny_llama, tmp_path):
    with pytest.raises(QuantizeError, match="calibration texts"):
        quantize_variant("gptq4", tiny_llama, tmp_path / "out", tiny_cpu())
    with pytest.raises(QuantizeError, match="unknown quantize variant 'awq'"):
        quantize_variant("awq", tiny_llama, tmp_path / "out", tiny_cpu())
    assert not (tmp_path / "out").exists()


def test_settings_reject_unknown_keys_and_values():
    assert quantize_settings(None) == quantize_settings({})
    assert quantize_settings({"gptq": {"bits": 8}}).gptq.group_size == 128  # partial sections keep defaults
    with pytest.raises(SettingsError, match=r"quantize.gptq: unknown key\(s\) \['group'\]"):
        quantize_settings({"gptq": {"group": 64}})
    with pytest.raises(SettingsError, match="quantize.variants: unknown \\['int4'\\]"):
        quantize_settings({"variants": ["int8", "int4"]})
    with pytest.raises(SettingsError, match="nf4.compute_dtype"):
        quantize_settings({"nf4": {"compute_dtype": "fp8"}})


class _CharTokenizer:
    """One id per character; BOS = 1, EOS = 2 (enough to test the window sampling)."""

    bos_token_id = 1
    eos_token_id = 2

    def __call__(self, text, **_):
        return {"input_ids": [3 + ord(c) % 50 for c in text]}


def test_calibration_windows_are_reproducible_and_cover_the_stream():
    texts = [f"document {i} " * (1 + i % 5) for i in range(300)]
    first = calibration_windows(texts, _CharTokenizer(), n_samples=8, seq_length=32, seed=3)
    again = calibration_windows(iter(texts), _CharTokenizer(), n_samples=8, seq_length=32, seed=3)
    other = calibration_windows(texts, _CharTokenizer(), n_samples=8, seq_length=32, seed=4)
    assert first.samples == again.samples and first.samples != other.samples
    assert all(len(s["input_ids"]) == 32 and s["attention_mask"] == [1] * 32 for s in first.samples)
    assert first.docs == 300 and first.windows == first.tokens // 32


def test_calibration_documents_are_laid_out_as_training_stored_them():
    """[BOS] + ids + [EOS] per document with tokenize.bos (the default), ids + [EOS] without."""
    texts = ["abc", "de"]
    with_bos = calibration_windows(texts, _CharTokenizer(), n_samples=1, seq_length=9, seed=0)
    without = calibration_windows(texts, _CharTokenizer(), n_samples=1, seq_length=7, seed=0, bos=False)
    ids = _CharTokenizer()
    assert with_bos.samples[0]["input_ids"] == [1, *ids("abc")["input_ids"], 2, 1, *ids("de")["input_ids"], 2]
    assert without.samples[0]["input_ids"] == [*ids("abc")["input_ids"], 2, *ids("de")["input_ids"], 2]


def test_too_little_calibration_text_says_what_to_lower():
    with pytest.raises(CalibrationError, match="fewer than quantize.gptq.n_samples = 8; lower n_samples"):
        calibration_windows(["short text"] * 3, _CharTokenizer(), n_samples=8, seq_length=32, seed=0)
