"""Device placement: resolving auto/cpu/cuda settings, the loading arguments for N GPUs, and the CPU path unchanged."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch

from xuanyuan.errors import UserError
from xuanyuan.quantize import Placement, gpu_load_kwargs, load_quantized, quantize_settings, resolve_device
from xuanyuan.quantize.memory import peak_memory

GIB = 1 << 30


@pytest.fixture
def no_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)


@pytest.fixture
def three_gpus(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 3)


def test_auto_is_the_cpu_without_cuda(no_cuda):
    for setting in (None, "auto", "AUTO", "cpu"):
        placement = resolve_device(setting, key="quantize.device")
        assert placement == Placement("cpu") and placement.device == "cpu" and str(placement) == "cpu"


def test_this_machine_resolves_auto_to_what_torch_sees():
    placement = resolve_device("auto")
    assert placement.kind == ("cuda" if torch.cuda.is_available() else "cpu")


@pytest.mark.parametrize("setting", ["cuda", "cuda:0"])
def test_cuda_without_cuda_is_a_user_error_naming_the_key(no_cuda, setting):
    with pytest.raises(UserError, match=r"evaluate.device: cuda.*sees no CUDA GPU.*evaluate.device: auto"):
        resolve_device(setting, key="evaluate.device")
    with pytest.raises(UserError, match=r"--device cpu"):  # a flag is written as a flag
        resolve_device(setting, key="--device")


def test_a_word_that_is_no_device_is_a_user_error(no_cuda):
    with pytest.raises(UserError, match=r"--device: 'gpu' is not a device; use auto, cpu, cuda"):
        resolve_device("gpu", key="--device")


def test_auto_without_the_gpus_the_job_asked_for_is_an_error(no_cuda):
    with pytest.raises(UserError, match=r"quantize.device: auto, and the job was given 8 GPU\(s\).*"
                                        r"quantize.device: cpu"):
        resolve_device("auto", key="quantize.device", expected_gpus=8)
    assert resolve_device("cpu", key="quantize.device", expected_gpus=8) == Placement("cpu")


def test_cuda_settings_with_gpus(three_gpus):
    every = resolve_device("auto")
    assert every == Placement("cuda", (0, 1, 2)) == resolve_device("cuda")
    assert every.sharded and every.device == "cuda:0" and every.devices() == ["cuda:0", "cuda:1", "cuda:2"]
    one = resolve_device("cuda:2")
    assert one == Placement("cuda", (2,)) and not one.sharded and one.device == "cuda:2"
    with pytest.raises(UserError, match=r"cuda:0..cuda:2"):
        resolve_device("cuda:3", key="evaluate.device")


def test_device_map_for_one_and_several_gpus():
    assert gpu_load_kwargs([1]) == {"device_map": {"": "cuda:1"}}
    memory = {g: 80 * GIB for g in range(8)}
    kwargs = gpu_load_kwargs(range(8), memory)
    assert kwargs["device_map"] == "auto"
    # Every GPU named (and only GPUs: nothing is offloaded to the CPU), each with headroom left.
    assert sorted(kwargs["max_memory"]) == list(range(8))
    assert all(v == int(80 * GIB * 0.9) for v in kwargs["max_memory"].values())
    assert gpu_load_kwargs([0, 1], {0: 10, 1: 20}, fraction=0.5)["max_memory"] == {0: 5, 1: 10}
    with pytest.raises(ValueError):
        gpu_load_kwargs([])


def test_sharded_placement_loads_with_device_map_auto(tiny_llama, three_gpus, monkeypatch):
    """What load_quantized hands transformers on 3 GPUs (from_pretrained is stubbed: no GPU here)."""
    from transformers import AutoModelForCausalLM

    seen = {}

    def fake_from_pretrained(path, **kwargs):
        seen.update(kwargs)
        return torch.nn.Linear(1, 1)

    monkeypatch.setattr(AutoModelForCausalLM, "from_pretrained", fake_from_pretrained)
    monkeypatch.setattr(torch.cuda, "get_device_properties", lambda g: SimpleNamespace(total_memory=40 * GIB))
    load_quantized(tiny_llama, "auto", dtype="bfloat16")
    assert seen["device_map"] == "auto" and seen["dtype"] == torch.bfloat16
    assert seen["max_memory"] == {g: int(40 * GIB * 0.9) for g in range(3)}
    load_quantized(tiny_llama, "cuda:1")
    assert seen["device_map"] == {"": "cuda:1"}


def test_cpu_load_is_unchanged(tiny_llama):
    """On the CPU: loaded as before (stored dtype, plain .to("cpu"), no device map), same logits."""
    from transformers import AutoModelForCausalLM

    reference = AutoModelForCausalLM.from_pretrained(tiny_llama, dtype="auto").to("cpu").eval()
    for device in ("cpu", Placement("cpu")):
        model = load_quantized(tiny_llama, device)
        assert next(model.parameters()).dtype == torch.float32
        assert getattr(model, "hf_device_map", None) is None
        ids = torch.tensor([[5, 6, 7, 8]])
        with torch.no_grad():
            assert torch.equal(model(ids).logits, reference(ids).logits)
    assert next(load_quantized(tiny_llama, "cpu", dtype="bfloat16").parameters()).dtype == torch.bfloat16


def test_quantize_device_setting():
    assert quantize_settings({}).device == "auto"
    assert quantize_settings({"device": "cuda:1"}).device == "cuda:1"
    with pytest.raises(UserError, match=r"quantize.device = 'gpu'"):
        quantize_settings({"device": "gpu"})


def test_cuda_peak_is_a_running_maximum_over_every_gpu(three_gpus, monkeypatch):
    """Peaks sum over the model's GPUs; with reset=False nothing is reset (an outer measurement runs)."""
    resets = []
    monkeypatch.setattr(torch.cuda, "synchronize", lambda d=None: None)
    monkeypatch.setattr(torch.cuda, "reset_peak_memory_stats", lambda d=None: resets.append(str(d)))
    monkeypatch.setattr(torch.cuda, "memory_allocated", lambda d=None: 1)
    monkeypatch.setattr(torch.cuda, "max_memory_allocated", lambda d=None: 10 * (d.index + 1))
    _, peak = peak_memory(lambda: None, ["cuda:0", "cuda:2"])
    assert resets == ["cuda:0", "cuda:2"] and peak["peak_bytes"] == 10 + 30 and peak["before_bytes"] == 2
    resets.clear()
    _, peak = peak_memory(lambda: None, "cuda", reset=False)
    assert resets == [] and peak["peak_bytes"] == 60 and peak["devices"] == ["cuda:0", "cuda:1", "cuda:2"]
