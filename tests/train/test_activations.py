"""Activation checkpointing (pretrain.activation_checkpointing): same losses and gradients, less stored.

The trainer runs under ZeRO-3 with it are in tests/train/test_zero_init.py.
"""

from __future__ import annotations

import pytest
import torch
from transformers import LlamaForCausalLM

from xuanyuan.train.activations import enable_activation_checkpointing, saved_activation_bytes
from xuanyuan.train.freeze import set_trainable
from xuanyuan.train.loss import batch_loss
from xuanyuan.train.model import standin_config
from xuanyuan.train.settings import ActivationCheckpointing, StandinSizes, train_settings

SIZES = StandinSizes(hidden_size=64, num_layers=4, num_heads=4, num_kv_heads=2, intermediate_size=176,
                     max_position_embeddings=1024)
VOCAB, LENGTH = 500, 512


def packed_batch() -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(3, VOCAB, (2, LENGTH + 1), generator=g)
    positions = torch.arange(LENGTH).repeat(2, 1)
    positions[0, 200:] = torch.arange(LENGTH - 200)
    return {"input_ids": ids[:, :-1], "labels": ids[:, 1:].clone(), "position_ids": positions}


def run(settings: ActivationCheckpointing, *, trainable: str = "all", autocast: bool = False):
    """(activation bytes stored, loss, gradients) of one forward + backward of a fresh tiny Llama
    (`autocast`: the forward under bf16 autocast, as `precision: bf16_autocast` runs it)."""
    torch.manual_seed(0)
    model = LlamaForCausalLM(standin_config(SIZES, VOCAB, "sdpa")).train()
    set_trainable(model, trainable)
    layers = enable_activation_checkpointing(model, settings)
    assert layers == (0 if not settings.enabled else len(range(0, SIZES.num_layers, settings.every_n_layers)))
    result = {}
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
        stored = saved_activation_bytes(model, lambda: result.update(loss=batch_loss(model, packed_batch(), "cpu")))
    result["loss"].backward()
    grads = {name: p.grad for name, p in model.named_parameters() if p.requires_grad}
    return stored, result["loss"].item(), grads


def assert_same(a, b):
    assert a[1] == b[1]
    assert a[2].keys() == b[2].keys() and all(torch.equal(a[2][n], b[2][n]) for n in a[2])


@pytest.mark.parametrize("trainable", ["all", "embeddings"])
def test_recomputed_layers_give_the_same_loss_and_gradients_bitwise(trainable):
    plain = run(ActivationCheckpointing(), trainable=trainable)
    every = run(ActivationCheckpointing(enabled=True), trainable=trainable)
    assert_same(every, plain)  # stage 1 (frozen layers) too: the gradient still reaches the embeddings
    assert every[0] < plain[0] / 5


def test_recomputation_under_bf16_autocast_is_bitwise_too():
    """The recomputed forward runs under the autocast state of the original one (bf16 products)."""
    plain = run(ActivationCheckpointing(), autocast=True)
    assert_same(run(ActivationCheckpointing(enabled=True), autocast=True), plain)
    assert plain[1] != run(ActivationCheckpointing())[1]  # the products did run in bf16


def test_every_second_layer_stores_in_between_and_offload_changes_nothing_on_cpu():
    plain, every = run(ActivationCheckpointing()), run(ActivationCheckpointing(enabled=True))
    half = run(ActivationCheckpointing(enabled=True, every_n_layers=2))
    assert_same(half, plain)
    assert every[0] < half[0] < plain[0]
    # Offload keeps the checkpoints in pinned host memory; a CPU run's tensors are there already (no pinning
    # without CUDA), so it is skipped and changes nothing.
    assert_same(run(ActivationCheckpointing(enabled=True, offload=True)), plain)


def test_off_by_default_and_read_from_config():
    assert train_settings({}).activation_checkpointing == ActivationCheckpointing(enabled=False)
    section = {"activation_checkpointing": {"enabled": True, "every_n_layers": 2}}
    assert train_settings(section).activation_checkpointing == ActivationCheckpointing(True, 2, False)
    with pytest.raises(ValueError, match="unknown config key"):
        train_settings({"activation_checkpointing": {"layers": 2}})
