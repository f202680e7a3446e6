"""A tiny random Llama with the SFT tests' tokenizer, and the generated benchmarks, built once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.sft.conftest import tokenizer_dir  # noqa: F401  (the session fixture, reused)
from xuanyuan.corpus.benchmarks import BenchmarkSettings, write_benchmarks
from xuanyuan.evaluate import BenchmarkSpec, build_local_suite

# Never reach the hub: local mode must work offline.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

# Short context: lm-eval truncates 5-shot prompts from the left to this, which keeps CPU time small.
MAX_POSITIONS = 256


@pytest.fixture(scope="session")
def tiny_model_dir(tokenizer_dir, tmp_path_factory) -> Path:  # noqa: F811
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=MAX_POSITIONS,
                         bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id)
    out = tmp_path_factory.mktemp("tiny_llama")
    LlamaForCausalLM(config).save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


@pytest.fixture(scope="session")
def generated(tmp_path_factory) -> dict:
    """The default run's benchmarks (small: 12 questions a subject) and the manifest write_benchmarks returns."""
    out = tmp_path_factory.mktemp("benchmarks")
    return write_benchmarks(out, BenchmarkSettings(questions_per_subject=12, dev_per_subject=5, seed=0))


@pytest.fixture(scope="session")
def generated_suites(generated, tmp_path_factory) -> dict:
    work = tmp_path_factory.mktemp("eval_work")
    return {name: build_local_suite(BenchmarkSpec(name, entry["layout"], entry["path"], entry["split"]), work)
            for name, entry in generated.items()}
