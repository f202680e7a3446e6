"""Stage 1 freezing: frozen weights bitwise unchanged in the export (fp32 and DeepSpeed bf16), trainable ones changed."""

import pytest
import torch
from safetensors.torch import load_file
from transformers import LlamaForCausalLM

from tests.train.conftest import make_job
from xuanyuan.train.freeze import check_unchanged, embedding_parameter_names, set_trainable
from xuanyuan.train.launch import run_in_process
from xuanyuan.train.model import build_standin
from xuanyuan.train.resize import resize_to_expanded
from xuanyuan.train.settings import tiny_cpu


def _exported(model_dir):
    state = {}
    for path in sorted(model_dir.glob("*.safetensors")):
        state.update(load_file(path))
    return state


def _check(model_dir, init_dir, expanded):
    reference = LlamaForCausalLM.from_pretrained(init_dir, dtype=torch.float32)
    resize_to_expanded(reference, expanded)
    ref = {k: v.detach() for k, v in reference.named_parameters()}
    out = _exported(model_dir)
    trainable = embedding_parameter_names(reference)
    frozen = [name for name in ref if name not in trainable]
    assert trainable == {"model.embed_tokens.weight", "lm_head.weight"}
    assert len(frozen) > 10
    assert check_unchanged(ref, out, frozen) == []
    for name in trainable:
        assert out[name].dtype == torch.float32 and not torch.equal(out[name], ref[name])


def test_stage1_fp32_keeps_frozen_weights_bitwise(stage1_fp32, standin, tiny):
    _check(stage1_fp32[0], standin[0], tiny.expanded)


@pytest.mark.slow
def test_stage1_bf16_keeps_frozen_fp32_weights_bitwise(tiny, standin, tmp_path):
    job = make_job(tiny, tmp_path, stage="stage1", init_model=str(standin[0]), resize=True, precision="bf16",
                   zero_stage=2)
    run_in_process(job)
    _check(tmp_path / "model", standin[0], tiny.expanded)


def test_set_trainable_choices():
    model = build_standin(tiny_cpu()[0], 128, seed=0)
    assert set(set_trainable(model, "embeddings")) == {"model.embed_tokens.weight", "lm_head.weight"}
    assert len(set_trainable(model, "all")) == len(list(model.parameters()))
    with pytest.raises(ValueError, match="trainable"):
        set_trainable(model, "attention")
