"""Generation speed of a model: greedy tokens per second at fixed batch sizes and lengths."""

from __future__ import annotations

import time
from typing import Any

import torch

from xuanyuan.quantize.memory import forward_inputs


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


@torch.no_grad()
def generation_speed(model, *, batch_size: int, new_tokens: int, prompt_tokens: int, repeats: int = 2,
                     seed: int = 0) -> dict[str, Any]:
    """Tokens/s of greedy generation of exactly `new_tokens` per sequence (the best of `repeats` timed runs).

    Prompts are fixed random ids of equal length, so no padding enters the timing; EOS cannot stop
    a sequence early (min_new_tokens), so every variant generates the same number of tokens.
    """
    device = next(model.parameters()).device
    ids = forward_inputs(model.config.vocab_size, batch_size=batch_size, seq_length=prompt_tokens,
                         seed=seed).to(device)
    kwargs = dict(input_ids=ids, attention_mask=torch.ones_like(ids), do_sample=False, max_new_tokens=new_tokens,
                  min_new_tokens=new_tokens, pad_token_id=model.config.pad_token_id or 0)
    model.generate(**kwargs)  # warm-up: kernel selection, caches, lazy init
    best = float("inf")
    for _ in range(max(1, repeats)):
        _sync(device)
        start = time.perf_counter()
        out = model.generate(**kwargs)
        _sync(device)
        best = min(best, time.perf_counter() - start)
    generated = batch_size * (out.shape[1] - prompt_tokens)
    return {"batch_size": batch_size, "new_tokens": new_tokens, "prompt_tokens": prompt_tokens,
            "seconds": best, "tokens_per_s": generated / best}
