import pytest

from tests.mix.helpers import build_tokenizer


@pytest.fixture(scope="session")
def mix_tokenizer(tmp_path_factory):
    """A tiny tokenizer of the pipeline's kind (stand-in + Chinese characters), HF directory; ~0.2 s."""
    return build_tokenizer(tmp_path_factory.mktemp("mix_tokenizer"))
