"""Weight memory shrinks as the bits do; peak memory and tokens/s are measured and put beside bf16."""

import pytest

from xuanyuan.quantize import (
    generation_speed, load_quantized, memory_report, peak_memory, stored_bytes, tiny_cpu, weight_bytes, with_ratios,
)
from xuanyuan.quantize.measure import measure_variant

pytestmark = pytest.mark.xdist_group("quantize")


def test_weight_memory_orders_bf16_int8_4bit(variants):
    weights = {v: weight_bytes(load_quantized(variants(v)[0])) for v in ("bf16", "int8", "gptq4", "nf4")}
    stored = {v: stored_bytes(variants(v)[0]) for v in weights}
    assert weights["int8"] < weights["bf16"] and weights["nf4"] < weights["int8"]
    assert weights["gptq4"] < weights["int8"]
    for v in weights:  # what the directory holds is what memory holds, within the bookkeeping of each backend
        assert abs(stored[v] - weights[v]) / weights[v] < 0.05, v


def test_peak_memory_reports_the_rise_while_running():
    import torch

    def allocate():
        block = torch.ones(64 * 1024 * 1024 // 4)  # 64 MiB
        return float(block.sum())

    result, peak = peak_memory(allocate)
    assert result == 64 * 1024 * 1024 // 4 and peak["method"] == "cpu_rss_sampling"
    assert peak["rise_bytes"] > 32 * 1024 * 1024


def test_memory_report_and_speed_of_a_variant(variants):
    out, _ = variants("nf4")
    model = load_quantized(out)
    report = memory_report(model, out, batch_size=2, seq_length=16)
    assert report["peak_bytes"] >= report["weight_bytes"] > 0 and report["stored_bytes"] > 0
    speed = generation_speed(model, batch_size=2, new_tokens=4, prompt_tokens=4, repeats=1)
    assert speed["tokens_per_s"] > 0 and speed["new_tokens"] == 4


def test_ratios_are_relative_to_bf16(variants):
    rows = with_ratios([measure_variant(variants(v)[0], tiny_cpu(), memory_batch=2, memory_seq_length=16)
                        for v in ("bf16", "int8")])
    assert rows[0]["ratios"]["weight_bytes"] == 1.0 and rows[0]["ratios"]["tokens_per_s_b1"] == 1.0
    assert 0 < rows[1]["ratios"]["weight_bytes"] < 1
    # Where it was measured: CPU speed ratios depend on the CPU and the instructions PyTorch picked.
    import torch

    from xuanyuan.provenance import cpu_name

    assert rows[0]["hardware"] == (f"{cpu_name()}, {torch.get_num_threads()} threads, "
                                   f"{torch.backends.cpu.get_cpu_capability()}")
