import pytest

from tests.tokdata.helpers import sample_texts, train_sentencepiece_tokenizer


@pytest.fixture(scope="session")
def sp_tokenizer_dir(tmp_path_factory):
    """One tiny SentencePiece/HF tokenizer for the whole session (training takes ~0.1 s)."""
    return train_sentencepiece_tokenizer(tmp_path_factory.mktemp("tok"), sample_texts(400, seed=1))


@pytest.fixture(scope="session")
def sp_tokenizer(sp_tokenizer_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(sp_tokenizer_dir)
