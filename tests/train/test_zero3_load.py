"""The streaming checkpoint load (xuanyuan.train.zero3_load), in one process: on an unpartitioned model the
gathers are no-ops, so the reading, casting, key and shape checks are tested here; the 2-rank ZeRO-3 load
is tests/train/test_zero_init.py."""

import json

import pytest
import torch
from transformers import LlamaConfig, LlamaForCausalLM

from xuanyuan.train.zero3_load import CheckpointKeyError, load_checkpoint_into_partitions, safetensors_files


def _config(**overrides) -> LlamaConfig:
    sizes = dict(vocab_size=96, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                 num_key_value_heads=2, max_position_embeddings=64)
    return LlamaConfig(**{**sizes, **overrides})


@pytest.fixture(scope="module")
def sharded_bf16(tmp_path_factory):
    """A bf16 checkpoint in several safetensors shards with an index, as Llama-2's release is laid out."""
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("ckpt") / "model"
    LlamaForCausalLM(_config()).to(torch.bfloat16).save_pretrained(path, max_shard_size="20KB")
    return path


def test_every_tensor_is_read_once_and_cast_to_fp32_exactly(sharded_bf16):
    files = safetensors_files(sharded_bf16)
    assert len(set(files.values())) > 2  # really sharded
    reference = LlamaForCausalLM.from_pretrained(sharded_bf16, dtype=torch.float32)
    torch.manual_seed(1)
    model = LlamaForCausalLM(_config())  # other random weights: every one must be overwritten
    record = load_checkpoint_into_partitions(model, sharded_bf16, rank=0)
    for name, param in model.named_parameters():
        assert param.dtype == torch.float32 and torch.equal(param, reference.get_parameter(name)), name
    total = sum(p.numel() for p in model.parameters())
    assert record.tensors == len(files) and record.bytes_read == 2 * total
    largest = max(sum(p.numel() for p in m.parameters(recurse=False)) for m in model.modules())
    assert record.max_bytes_at_once == 2 * largest


def test_other_ranks_read_nothing(sharded_bf16):
    model = LlamaForCausalLM(_config())
    before = {name: p.clone() for name, p in model.named_parameters()}
    record = load_checkpoint_into_partitions(model, sharded_bf16, rank=1)
    assert (record.tensors, record.bytes_read) == (0, 0)
    assert all(torch.equal(p, before[name]) for name, p in model.named_parameters())


def test_a_checkpoint_of_another_shape_is_refused_before_any_gather(sharded_bf16):
    with pytest.raises(CheckpointKeyError, match=r"model.embed_tokens.weight has shape \(96, 32\) in the checkpoint "
                                                 r"but \(128, 32\) in the model"):
        load_checkpoint_into_partitions(LlamaForCausalLM(_config(vocab_size=128)), sharded_bf16, rank=0)


def test_missing_and_unexpected_tensors_are_named(sharded_bf16):
    with pytest.raises(CheckpointKeyError, match=r"missing 9 tensors \(model.layers.2.input_layernorm.weight"):
        load_checkpoint_into_partitions(LlamaForCausalLM(_config(num_hidden_layers=3)), sharded_bf16, rank=0)
    with pytest.raises(CheckpointKeyError, match=r"9 tensors the model has no place for \(model.layers.1."):
        load_checkpoint_into_partitions(LlamaForCausalLM(_config(num_hidden_layers=1)), sharded_bf16, rank=0)


def test_an_index_naming_absent_shards_says_so(sharded_bf16, tmp_path):
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(sharded_bf16, broken)
    index = json.loads((broken / "model.safetensors.index.json").read_text())
    first = sorted(set(index["weight_map"].values()))[0]
    (broken / first).unlink()
    with pytest.raises(CheckpointKeyError, match=f"names shard files that are not there: {first}"):
        safetensors_files(broken)
    assert safetensors_files(tmp_path) == {}


def test_the_whole_model_load_refuses_what_transformers_would_fill_at_random(sharded_bf16, tmp_path):
    """Without ZeRO-3, `load_model` goes through from_pretrained, which initialises missing tensors at random and
    only warns; and LlamaConfig reads any config.json, filling what it lacks with Llama-7B's sizes."""
    from safetensors.torch import load_file, save_file

    from xuanyuan.errors import UserError
    from xuanyuan.train.model import load_model
    from xuanyuan.train.settings import ModelSettings

    assert load_model(sharded_bf16, ModelSettings()).config.num_hidden_layers == 2
    torch.manual_seed(0)
    short = tmp_path / "short"
    LlamaForCausalLM(_config()).save_pretrained(short)
    tensors = load_file(short / "model.safetensors")
    del tensors["model.layers.1.mlp.up_proj.weight"]
    save_file(tensors, short / "model.safetensors", metadata={"format": "pt"})
    with pytest.raises(CheckpointKeyError, match=r"missing 1 tensors \(model.layers.1.mlp.up_proj.weight\)"):
        load_model(short, ModelSettings())

    other = tmp_path / "gpt2"
    other.mkdir()
    (other / "config.json").write_text(json.dumps({"model_type": "gpt2", "n_layer": 2, "n_embd": 32}))
    with pytest.raises(UserError, match=r"model_type 'gpt2', not 'llama'"):
        load_model(other, ModelSettings())
