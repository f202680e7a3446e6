"""A tiny random Llama with its own tokenizer, and each variant quantized from it once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from xuanyuan.quantize import quantize_variant, tiny_cpu
from xuanyuan.quantize.tiny import corpus, write_tiny_llama

PROMPTS = ["the bank market rate", "公司发布年度报告，营业收入"]


@pytest.fixture(scope="session")
def tiny_llama(tmp_path_factory) -> Path:
    return write_tiny_llama(tmp_path_factory.mktemp("quantize") / "base")


@pytest.fixture(scope="session")
def variants(tiny_llama, tmp_path_factory):
    """{variant: (directory, the model quantize_variant returned)}, each made once, lazily."""
    made: dict[str, tuple[Path, torch.nn.Module]] = {}
    root = tmp_path_factory.mktemp("variants")

    def get(name: str) -> tuple[Path, torch.nn.Module]:
        if name not in made:
            out = root / name
            model = quantize_variant(name, tiny_llama, out, tiny_cpu(), calibration_texts=corpus(120, seed=1))
            made[name] = (out, model)
        return made[name]

    return get


def prompt_batch(model_dir: Path):
    """The test prompts, left-padded, tokenized with the directory's tokenizer."""
    from xuanyuan.quantize import load_tokenizer

    tokenizer = load_tokenizer(model_dir)
    tokenizer.padding_side = "left"
    return tokenizer(PROMPTS, return_tensors="pt", padding=True)
