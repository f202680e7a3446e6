"""Every variant's perplexity comes from the training stage's own perplexity code."""

import math

import pytest

from xuanyuan.quantize import quantized_perplexity
from xuanyuan.quantize.tiny import corpus

pytestmark = pytest.mark.xdist_group("quantize")


def test_int8_perplexity_is_close_to_bf16(variants):
    sets = {"mixed": corpus(12, seed=5)}
    bf16 = quantized_perplexity(variants("bf16")[0], sets, window=32)["mixed"]
    int8 = quantized_perplexity(variants("int8")[0], sets, window=32)["mixed"]
    assert bf16["tokens"] == int8["tokens"] and math.isfinite(int8["ppl_token"])
    assert abs(int8["ppl_token"] / bf16["ppl_token"] - 1) < 0.05
