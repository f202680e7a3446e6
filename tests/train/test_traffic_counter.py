"""bench.measure.traffic_counter, which bench/optimizer_traffic.py's bytes per parameter rest on:
known ops count what they read and write, views count nothing."""

import torch

from bench.measure import traffic_counter


def counted(fn):
    counter = traffic_counter()
    with counter:
        fn()
    return dict(counter.bytes)


def test_element_wise_ops_count_their_reads_and_writes():
    x, y = torch.randn(1000), torch.randn(1000, dtype=torch.bfloat16)
    assert counted(lambda: x.add_(y)) == {"aten.add_.Tensor": 4000 + 2000 + 4000}
    assert counted(lambda: y.copy_(x)) == {"aten.copy_.default": 4000 + 2000}  # the destination is not read
    assert counted(lambda: x.zero_()) == {"aten.zero_.default": 4000}
    assert counted(lambda: x * 2) == {"aten.mul.Tensor": 8000}
    assert counted(lambda: (x.t(), x.view(10, 100), x[:10])) == {}


def test_fused_adamw_moves_28_bytes_per_fp32_parameter():
    param = torch.nn.Parameter(torch.randn(1000))
    param.grad = torch.randn(1000)
    opt = torch.optim.AdamW([param], fused=True)
    opt.step()  # creates the moments
    step = counted(opt.step)["aten._fused_adamw_.default"]
    # reads weights, gradients and both moments; writes weights and moments (4 bytes each), plus the step count
    assert 28000 <= step < 28000 + 16
