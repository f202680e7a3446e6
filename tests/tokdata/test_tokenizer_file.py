"""The data stages read the tokenizer stage's directory with `tokenizers` alone (TokenizerFile):
the same pipeline, ids, vocabulary size, specials and decoding as transformers' AutoTokenizer."""

import json
import shutil

import pytest

from tests.tokdata.helpers import sample_texts
from xuanyuan.tokdata import tokenize_documents
from xuanyuan.tokdata.encoding import BatchEncoder, TokenizerFile, load_tokenizer
from xuanyuan.tokenizer.hf import write_hf_tokenizer


@pytest.fixture(scope="module")
def stage_tokenizer_dir(sp_tokenizer_dir, tmp_path_factory):
    # Written as the tokenizer stage writes it (tokenizer_class PreTrainedTokenizerFast).
    return write_hf_tokenizer(sp_tokenizer_dir / "tokenizer.model", tmp_path_factory.mktemp("stage") / "tokenizer")


def test_the_stage_directory_loads_without_transformers_and_equals_auto_tokenizer(stage_tokenizer_dir):
    from transformers import AutoTokenizer

    light, full = load_tokenizer(stage_tokenizer_dir), AutoTokenizer.from_pretrained(stage_tokenizer_dir)
    assert isinstance(light, TokenizerFile)
    assert light.backend_tokenizer.to_str() == full.backend_tokenizer.to_str()
    specials = ("bos_token_id", "eos_token_id", "pad_token_id", "unk_token_id")
    assert [getattr(light, name) for name in specials] == [getattr(full, name) for name in specials]
    assert len(light) == len(full)
    texts = sample_texts(60, seed=3) + [" leading space", "</s> in the text <s>", ""]
    ids = BatchEncoder(light)(texts)
    assert ids == BatchEncoder(full)(texts)
    with_specials = [[light.bos_token_id, *row, light.eos_token_id] for row in ids]
    assert light.batch_decode(with_specials, skip_special_tokens=True) == full.batch_decode(
        with_specials, skip_special_tokens=True, clean_up_tokenization_spaces=False)


def test_tokenized_bytes_are_the_same_from_the_directory_and_from_auto_tokenizer(stage_tokenizer_dir, tmp_path):
    from transformers import AutoTokenizer

    records = [{"id": f"d{i}", "text": text} for i, text in enumerate(sample_texts(40, seed=4))]
    full = AutoTokenizer.from_pretrained(stage_tokenizer_dir)
    for name, tokenizer in (("light", stage_tokenizer_dir), ("full", full)):
        tokenize_documents(records, tokenizer, tmp_path / name, batch_docs=7, eos_id=full.eos_token_id,
                           bos_id=full.bos_token_id)
    for suffix in (".bin", ".idx"):
        assert (tmp_path / f"light{suffix}").read_bytes() == (tmp_path / f"full{suffix}").read_bytes()


def test_other_tokenizer_classes_still_load_through_transformers(sp_tokenizer_dir):
    # The session tokenizer was saved by transformers from a LlamaTokenizer: not the stage's kind.
    assert not isinstance(load_tokenizer(sp_tokenizer_dir), TokenizerFile)


def test_a_broken_tokenizer_config_names_the_file(stage_tokenizer_dir, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(stage_tokenizer_dir, broken)
    (broken / "tokenizer_config.json").write_text("{not json")
    with pytest.raises(ValueError, match=r"broken/tokenizer_config.json: not valid JSON"):
        load_tokenizer(broken)
    config = json.loads((stage_tokenizer_dir / "tokenizer_config.json").read_text())
    assert config["tokenizer_class"] == "PreTrainedTokenizerFast"


def test_loading_and_encoding_import_neither_transformers_nor_torch(stage_tokenizer_dir):
    import subprocess
    import sys

    from tests.conftest import REPO

    probe = ("import sys\n"
             "from xuanyuan.tokdata.encoding import BatchEncoder, load_tokenizer\n"
             f"BatchEncoder(load_tokenizer({str(stage_tokenizer_dir)!r}))(['abc 中文'])\n"
             "print(sorted({'transformers', 'torch'} & set(sys.modules)))\n")
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "[]", result.stdout
