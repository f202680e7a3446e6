"""Continued pretraining with DeepSpeed (docs/pretrain.md): one trainer for the stand-in base, stage 1 and stage 2.

Modules, one job each:
  settings          dataclasses filled from the `model` and `pretrain` config sections
  model             build the stand-in / load a base model; attention and fused-kernel choice
  resize            embeddings + LM head to the expanded vocabulary, new rows from their base pieces
  freeze            trainable parameters per stage; exact fp32 copies of frozen weights under bf16
  rope              RoPE cos/sin in fp32 (and the precision check)
  deepspeed_config  the ZeRO config dict from our settings
  zero3             ZeRO-3: build/load the model partitioned under deepspeed.zero.Init, gathers, bf16 cast
  zero3_load        ZeRO-3: a safetensors checkpoint streamed into the partitions, one module at a time
  data              per-rank micro-batches from the curriculum sampler, by global sample index
  loss              cross-entropy over labels, -100 ignored
  flops, metrics    FLOPs per token, MFU; JSONL + TensorBoard + progress bar
  checkpoint        DeepSpeed checkpoints with data position and RNG; resume
  reshard           a checkpoint of another world size to DeepSpeed's universal form, before the workers start
  divergence        stop a run whose loss or gradient norm is not finite, before its next checkpoint
  stop_signal       on SIGTERM (time limit, scancel, preemption), a checkpoint of the steps done, then exit
  trainer           the loop
  export            Hugging Face directory from the engine (ZeRO-3 gathered per parameter)
  launch            torchrun, one process per device; in-process for tests
  worker_errors     a worker's UserError message, handed to the launcher
  base_model        the stand-in base model job
  perplexity        held-out perplexity of a model directory
"""

import importlib

# Names -> their modules, imported on first use: the rules and `check-config` read xuanyuan.train.job
# (which settings a training job depends on) without paying for torch, transformers and DeepSpeed.
_EXPORTS = {
    "TrainJob": "job",
    "launch": "launch",
    "run_in_process": "launch",
    "resize_to_expanded": "resize",
    "ModelSettings": "settings",
    "TrainSettings": "settings",
    "model_settings": "settings",
    "tiny_cpu": "settings",
    "train_settings": "settings",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"xuanyuan.train.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'xuanyuan.train' has no attribute {name!r}")
