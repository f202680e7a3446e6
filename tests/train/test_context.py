"""Training beyond the base's positions (model.context): a clear stop without it, RoPE extended with it."""

import json
import math
import shutil

import pytest
import torch

from tests.train.conftest import make_job
from xuanyuan.train.launch import run_in_process
from xuanyuan.train.model import model_config, with_context
from xuanyuan.train.rope import check_rope_precision, install_fp32_rope, model_cos_sin, reference_inv_freq
from xuanyuan.train.settings import ContextSettings

BASE_POSITIONS = 16  # a base shorter than the tiny stages' 32-token sequences, as Llama-2's 4k is under 8k


@pytest.fixture(scope="module")
def short_base(standin, tmp_path_factory):
    """The stand-in with only BASE_POSITIONS positions in its config."""
    path = tmp_path_factory.mktemp("short_base") / "model"
    shutil.copytree(standin[0], path)
    config = json.loads((path / "config.json").read_text())
    config["max_position_embeddings"] = BASE_POSITIONS
    (path / "config.json").write_text(json.dumps(config))
    return path


def _stage2_job(tiny, out, base, context=None):
    job = make_job(tiny, out, stage="stage2", init_model=str(base), resize=True)
    if context is not None:
        job.model["context"] = context
    return job


def test_sequences_longer_than_the_base_stop_before_training_and_name_the_fix(tiny, short_base, tmp_path):
    job = _stage2_job(tiny, tmp_path, short_base)
    with pytest.raises(ValueError, match=r"seq_length 32 is longer than the 16 positions.*model\.context\.max_position_embeddings: 32"):
        run_in_process(job)
    assert not (tmp_path / "ckpt" / "latest").exists()


def test_context_settings_extend_the_positions_and_rope_of_every_later_stage(tiny, short_base, tmp_path):
    context = {"max_position_embeddings": 64, "rope_theta": 500000.0, "rope_linear_factor": 2.0}
    summary = run_in_process(_stage2_job(tiny, tmp_path, short_base, context))
    assert math.isfinite(summary["eval_loss"])
    saved = model_config(tmp_path / "model")  # the export keeps the extended positions
    assert saved.max_position_embeddings == 64
    assert saved.rope_parameters == {"rope_type": "linear", "rope_theta": 500000.0, "factor": 2.0}
    # applying the settings again (the next stage loads this export) changes nothing
    assert with_context(model_config(tmp_path / "model"), ContextSettings(**context)).to_dict() == saved.to_dict()
    # the rotary tables follow the new base and interpolation, computed in fp32 from float64
    inv_freq, _ = reference_inv_freq(saved)
    head_dim = saved.hidden_size // saved.num_attention_heads
    default = 1.0 / 10000.0 ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim)
    assert torch.allclose(inv_freq, 1.0 / 500000.0 ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim) / 2)
    assert not torch.allclose(inv_freq, default)
    from transformers import LlamaForCausalLM

    model = LlamaForCausalLM.from_pretrained(tmp_path / "model").bfloat16()
    install_fp32_rope(model)
    assert check_rope_precision(lambda p: model_cos_sin(model, p, torch.bfloat16), saved, 64) < 1e-5


def test_without_settings_a_loaded_config_is_unchanged(standin):
    config = model_config(standin[0])
    assert with_context(model_config(standin[0]), ContextSettings()).to_dict() == config.to_dict()


LONG = 16384  # the recipe's optional stage-2 context


@pytest.fixture(scope="module")
def long_data(tiny, tmp_path_factory):
    """Enough short documents for a few 16k-token packed samples, with the expanded tokenizer."""
    from transformers import AutoTokenizer

    from tests.train.conftest import english
    from xuanyuan.tokdata import tokenize_documents

    records = [{"id": f"d{i}", "text": t, "lang": "en", "domain": "general", "source": "en"}
               for i, t in enumerate(english(900, seed=5))]
    prefix = tmp_path_factory.mktemp("long") / "data"
    tokenize_documents(records, AutoTokenizer.from_pretrained(tiny.expanded), prefix, batch_docs=128, eos_id=2)
    return prefix


def test_a_16k_token_step_trains_and_keeps_packed_documents_apart(tiny, standin, long_data, tmp_path):
    """Stage 2 at 16,384 tokens per sample (bf16, DeepSpeed, torch_varlen: no L x L mask on CPU either);
    the export scores a packed 16k sample exactly as its documents alone, and a 16k-token document."""
    import dataclasses

    from transformers import LlamaForCausalLM

    from tests.train.conftest import make_job
    from xuanyuan.tokdata import IndexedDataset, PackedSamples
    from xuanyuan.train.data import collate
    from xuanyuan.train.loss import batch_loss
    from xuanyuan.train.settings import StageSettings

    stage2 = StageSettings(lr=1e-3, steps=1, seq_length=LONG, micro_batch=1, warmup_steps=0)
    job = make_job(tiny, tmp_path, stage="stage2", init_model=str(standin[0]), resize=True, precision="bf16",
                   stage2=stage2)
    job = dataclasses.replace(job, data=[("phase1", [str(long_data)])], eval_samples=1)
    job.model["attn_implementation"] = "torch_varlen"
    summary = run_in_process(job)
    assert summary["steps"] == 1 and math.isfinite(summary["eval_loss"])

    samples = PackedSamples(IndexedDataset(long_data), LONG)
    assert len(samples) >= 2
    packed = samples[0]
    assert len(packed["cu_seqlens"]) > 100  # many documents in one 16k sample
    # On a GPU (bench/device_check.sh) the trainer applied Liger's CUDA kernels to the Llama classes, and
    # the varlen flash kernel takes bf16 only: score there in bf16, whose rounding sets the tolerance.
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dtype, tolerance = (torch.bfloat16, 2e-2) if device.type == "cuda" else (torch.float32, 1e-4)
    model = LlamaForCausalLM.from_pretrained(tmp_path / "model", attn_implementation="torch_varlen",
                                             dtype=dtype).to(device).eval()
    with torch.no_grad():
        whole = float(batch_loss(model, collate([packed]), device))
        total, count = 0.0, 0
        bounds = packed["cu_seqlens"].tolist()
        for a, b in zip(bounds, bounds[1:]):
            ids = torch.from_numpy(packed["input_ids"][a:b])[None].to(device)
            logits = model(input_ids=ids, use_cache=False).logits
            labels = torch.from_numpy(packed["labels"][a:b]).to(device)
            total += float(torch.nn.functional.cross_entropy(logits[0].float(), labels, reduction="sum"))
            count += b - a
        assert abs(whole - total / count) < tolerance
        # The same tokens as one 16k-token document: positions 0 .. 16,383 through the extended RoPE table.
        one_document = dict(collate([packed]), position_ids=torch.arange(LONG)[None])
        assert math.isfinite(float(batch_loss(model, one_document, device)))
