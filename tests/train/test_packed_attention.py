"""Packed samples must not attend across documents: losses of a packed sample equal its documents run alone."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from transformers import LlamaConfig, LlamaForCausalLM
from transformers.masking_utils import create_causal_mask

from xuanyuan.tokdata import IndexedDataset, PackedSamples
from xuanyuan.tokdata.builder import PairBuilder
from xuanyuan.train.attention import flash_varlen_kwargs, packed_causal_mask
from xuanyuan.train.data import collate, model_inputs
from xuanyuan.train.loss import batch_loss
from xuanyuan.train.model import resolve_attn_implementation
from xuanyuan.train.varlen_attention import TORCH_VARLEN

SEQ = 20
# Sample 0 = documents 0, 1, 2 (starts 0, 5, 14); sample 1 starts with the last token of document 2.
DOC_LENGTHS = (5, 9, 7, 3, 12, 6)
VOCAB = 64
EOS = 2


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> list[dict[str, np.ndarray]]:
    rng = np.random.default_rng(0)
    docs = [np.append(rng.integers(3, VOCAB, size=n - 1), EOS) for n in DOC_LENGTHS]
    prefix = tmp_path_factory.mktemp("packed") / "docs"
    with PairBuilder(prefix, np.dtype(np.uint16)) as builder:
        rows = [{"id": f"d{i}", "source": "s", "lang": "en", "domain": "general", "phase": "p", "copy": 0}
                for i in range(len(docs))]
        builder.add_batch(np.concatenate(docs), np.array(DOC_LENGTHS), rows)
    packed = PackedSamples(IndexedDataset(prefix), SEQ)
    out = [packed[0], packed[1]]
    assert out[0]["cu_seqlens"].tolist() == [0, 5, 14, 20]  # three documents in one sample
    assert out[1]["cu_seqlens"].tolist() == [0, 1, 4, 16, 20]
    return out


def tiny_llama(attn: str) -> LlamaForCausalLM:
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=VOCAB, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64)
    config._attn_implementation = attn
    return LlamaForCausalLM(config).float().eval()


def per_token_losses(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), reduction="none")


def alone_losses(model, samples) -> torch.Tensor:
    """Per-token losses [B*L] with every document run as its own sequence (positions from 0, no padding)."""
    out = []
    for s in samples:
        bounds = s["cu_seqlens"].tolist()
        for a, b in zip(bounds, bounds[1:]):
            ids = torch.from_numpy(s["input_ids"][a:b])[None]
            logits = model(input_ids=ids, use_cache=False).logits
            out.append(per_token_losses(logits, torch.from_numpy(s["labels"][a:b])))
    return torch.cat(out)


def expected_mask(samples) -> torch.Tensor:
    """Block-diagonal causal mask [B, 1, L, L] from the samples' cu_seqlens (independent of position_ids)."""
    masks = []
    for s in samples:
        docs = np.repeat(np.arange(len(s["cu_seqlens"]) - 1), np.diff(s["cu_seqlens"]))
        same = torch.from_numpy(docs[:, None] == docs[None, :])
        masks.append(same & torch.ones(SEQ, SEQ, dtype=torch.bool).tril())
    return torch.stack(masks)[:, None]


@pytest.mark.parametrize("attn", ["sdpa", "eager"])
@torch.no_grad()
def test_packed_losses_equal_documents_alone(samples, attn):
    model = tiny_llama(attn)
    batch = collate(samples)
    inputs = model_inputs(batch, attn_implementation=attn, dtype=torch.float32, device="cpu")
    packed = per_token_losses(model(**inputs).logits, batch["labels"])
    alone = alone_losses(model, samples)
    assert (packed - alone).abs().max() < 1e-5

    # The control: the same positions under a plain causal mask let documents see each other.
    causal = torch.ones(SEQ, SEQ, dtype=torch.bool).tril().expand(len(samples), 1, SEQ, SEQ)
    inputs["attention_mask"] = causal if attn == "sdpa" else torch.where(causal, 0.0, torch.finfo(torch.float32).min)
    crossing = per_token_losses(model(**inputs).logits, batch["labels"])
    assert (crossing - alone).abs().max() > 1e-3
    # The first document of each sample has nothing before it, so only later ones change.
    assert (crossing[:5] - alone[:5]).abs().max() < 1e-5


@pytest.mark.parametrize("attn", ["sdpa", "eager"])
def test_batch_loss_through_an_engine_gets_the_mask(samples, attn):
    """The trainer's path (batch_loss on a DeepSpeed-like wrapper) passes the mask and gives the alone loss."""
    seen = {}

    class EngineLike(torch.nn.Module):
        def __init__(self, module):
            super().__init__()
            self.module = module

        def forward(self, **kwargs):
            seen.update(kwargs)
            return self.module(**kwargs)

    model = tiny_llama(attn)
    with torch.no_grad():
        loss = batch_loss(EngineLike(model), collate(samples), torch.device("cpu"))
        alone = alone_losses(model, samples)
    assert seen["attention_mask"].shape == (2, 1, SEQ, SEQ)
    assert abs(float(loss) - float(alone.mean())) < 1e-5


def test_model_inputs_sdpa_and_eager_masks(samples):
    batch = collate(samples)
    want = expected_mask(samples)
    sdpa = model_inputs(batch, attn_implementation="sdpa", dtype=torch.float32, device="cpu")
    assert sdpa["attention_mask"].dtype == torch.bool and torch.equal(sdpa["attention_mask"], want)
    assert sdpa["use_cache"] is False and torch.equal(sdpa["position_ids"], batch["position_ids"])
    eager = model_inputs(batch, attn_implementation="eager", dtype=torch.bfloat16, device="cpu")["attention_mask"]
    assert eager.dtype == torch.bfloat16
    assert torch.equal(eager == 0, want) and bool((eager[~want] == torch.finfo(torch.bfloat16).min).all())


def test_model_inputs_flash_varlen_offsets(samples):
    """flash_attention_2 gets offsets over the flattened batch and no mask (the kernel itself needs CUDA)."""
    inputs = model_inputs(collate(samples), attn_implementation="flash_attention_2", dtype=torch.bfloat16,
                          device="cpu")
    assert "attention_mask" not in inputs
    assert inputs["cu_seq_lens_q"].dtype == torch.int32
    assert inputs["cu_seq_lens_q"].tolist() == [0, 5, 14, 20, 21, 24, 36, 40]
    assert inputs["cu_seq_lens_k"] is inputs["cu_seq_lens_q"]
    assert inputs["max_length_q"] == inputs["max_length_k"] == 12 and isinstance(inputs["max_length_q"], int)


def test_mask_matches_transformers_packed_detection(samples):
    """Our mask is the one Hugging Face derives from packed position_ids, so both agree on documents."""
    position_ids = collate(samples)["position_ids"]
    config = LlamaConfig(vocab_size=VOCAB, hidden_size=8, num_attention_heads=1)
    config._attn_implementation = "sdpa"
    hf = create_causal_mask(config, torch.zeros(2, SEQ, 8), None, None, position_ids=position_ids)
    assert torch.equal(packed_causal_mask(position_ids), hf.expand(2, 1, SEQ, SEQ))


def test_unpacked_batch_gets_no_mask_and_other_attention_is_refused():
    batch = {"input_ids": torch.zeros(2, 8, dtype=torch.long), "position_ids": torch.arange(8).repeat(2, 1)}
    for attn in ("sdpa", "eager", "flash_attention_2", TORCH_VARLEN):
        assert set(model_inputs(batch, attn_implementation=attn, dtype=torch.float32, device="cpu")) == {
            "input_ids", "position_ids", "use_cache"}
    with pytest.raises(ValueError, match="flex_attention"):
        model_inputs(batch, attn_implementation="flex_attention", dtype=torch.float32, device="cpu")


# --- torch_varlen: document offsets instead of a mask (xuanyuan.train.varlen_attention) ---

OFFSET_KEYS = ("cu_seq_lens_q", "cu_seq_lens_k", "max_length_q", "max_length_k")


def varlen_llama() -> LlamaForCausalLM:
    return tiny_llama(resolve_attn_implementation(TORCH_VARLEN))


@torch.no_grad()
def test_torch_varlen_keeps_documents_apart_without_a_mask(samples):
    model = varlen_llama()
    batch = collate(samples)
    inputs = model_inputs(batch, attn_implementation=TORCH_VARLEN, dtype=torch.float32, device="cpu")
    assert "attention_mask" not in inputs and set(OFFSET_KEYS) <= set(inputs)
    packed = per_token_losses(model(**inputs).logits, batch["labels"])
    alone = alone_losses(model, samples)
    assert (packed - alone).abs().max() < 1e-5
    # The control: without the offsets each row is one causal sequence, and documents see each other.
    for key in OFFSET_KEYS:
        inputs.pop(key)
    crossing = per_token_losses(model(**inputs).logits, batch["labels"])
    assert (crossing - alone).abs().max() > 1e-3


def test_torch_varlen_gradients_equal_the_masked_sdpa_ones(samples):
    """The trainer's path: same loss and same gradients as SDPA with the block-diagonal mask."""
    grads = {}
    for attn in ("sdpa", TORCH_VARLEN):
        model = tiny_llama(resolve_attn_implementation(attn))
        loss = batch_loss(model, collate(samples), torch.device("cpu"))
        loss.backward()
        grads[attn] = (float(loss.detach()), [p.grad.clone() for p in model.parameters()])
    assert abs(grads["sdpa"][0] - grads[TORCH_VARLEN][0]) < 1e-6
    assert max(float((a - b).abs().max()) for a, b in zip(grads["sdpa"][1], grads[TORCH_VARLEN][1])) < 1e-6


def reference_varlen_attn(query, key, value, cu_seq_q, cu_seq_k, max_q, max_k, *, scale=None, window_size=None,
                          is_causal=None, enable_gqa=False):
    """What torch's CUDA kernel computes, written out on CPU: causal attention within each [T, H, D] range."""
    assert query.dim() == key.dim() == 3 and cu_seq_q.dtype == torch.int32 and cu_seq_k is cu_seq_q
    assert window_size == (-1, 0) or is_causal is True
    assert max_q == max_k == int(cu_seq_q.diff().max())
    if key.shape[1] != query.shape[1]:
        assert enable_gqa
    bounds = cu_seq_q.tolist()
    out = [F.scaled_dot_product_attention(query[s:e].transpose(0, 1), key[s:e].transpose(0, 1),
                                          value[s:e].transpose(0, 1), is_causal=True, scale=scale,
                                          enable_gqa=enable_gqa).transpose(0, 1)
           for s, e in zip(bounds, bounds[1:])]
    return torch.cat(out)


@pytest.mark.parametrize("causal_keyword", ["window_size", "is_causal"])
@pytest.mark.parametrize("shares_gqa", [True, False])
def test_cuda_path_hands_the_kernel_flattened_documents(samples, monkeypatch, causal_keyword, shares_gqa):
    """The CUDA branch's layout (flatten, offsets, causal keyword of torch 2.10 or 2.11+, grouped KV heads),
    checked on CPU against a written-out kernel; the real kernel runs in bench/device_check.sh."""
    import torch.nn.attention.varlen as varlen_module

    from xuanyuan.train import varlen_attention

    def kernel(q, k, v, cu_q, cu_k, max_q, max_k, *, scale=None, **kw):
        assert set(kw) == {causal_keyword} | ({"enable_gqa"} if shares_gqa else set())
        if not shares_gqa:
            assert k.shape[1] == q.shape[1]  # copied, since this torch cannot share them
        return reference_varlen_attn(q, k, v, cu_q, cu_k, max_q, max_k, scale=scale, **kw)

    causal = {"window_size": (-1, 0)} if causal_keyword == "window_size" else {"is_causal": True}
    monkeypatch.setattr(varlen_module, "varlen_attn", kernel)
    monkeypatch.setattr(varlen_attention, "_varlen_options", lambda: (causal, shares_gqa))
    g = torch.Generator().manual_seed(0)
    query, key, value = (torch.randn(2, h, SEQ, 8, generator=g) for h in (4, 2, 2))
    offsets = flash_varlen_kwargs(collate(samples)["position_ids"])
    got = varlen_attention._cuda_varlen(query, key, value, offsets["cu_seq_lens_q"], offsets["max_length_q"], 0.3)
    want = varlen_attention._per_document_sdpa(query, key, value, offsets["cu_seq_lens_q"], 0.3)
    assert got.shape == (2, SEQ, 4, 8) and (got - want).abs().max() < 1e-6


def test_torch_varlen_refuses_dropout_and_cached_generation():
    from xuanyuan.train.varlen_attention import torch_varlen_attention

    q = torch.zeros(1, 2, 4, 8)
    with pytest.raises(ValueError, match="no dropout"):
        torch_varlen_attention(None, q, q, q, None, dropout=0.1)
    with pytest.raises(ValueError, match="attn_implementation='sdpa' to generate"):
        torch_varlen_attention(None, q[:, :, :1], q, q, None)


def test_torch_varlen_is_registered_with_transformers_and_auto_keeps_sdpa_on_cpu():
    from transformers import AttentionInterface

    assert resolve_attn_implementation(TORCH_VARLEN) == TORCH_VARLEN
    assert TORCH_VARLEN in AttentionInterface._global_mapping
    assert resolve_attn_implementation("auto") == "sdpa"  # CPU here: the masked path of the default run
