"""Export round trip, metrics file, stage-1 summary."""

import json

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from xuanyuan.train.data import collate, open_sampler
from xuanyuan.train.loss import batch_loss
from xuanyuan.train.metrics import read_metrics
from xuanyuan.train.rope import install_fp32_rope
from xuanyuan.train.settings import train_settings

METRIC_KEYS = {"step", "loss", "lr", "grad_norm", "tokens_per_s", "tflops", "mfu"}


def test_reloaded_export_gives_the_engines_last_eval_loss(stage1_fp32):
    model_dir, summary, job = stage1_fp32
    settings = train_settings(job.train)
    sampler = open_sampler(job.data, settings.stage1.seq_length, settings.seed, order_key=job.stage)
    batch = collate([sampler[i] for i in range(job.eval_samples)])
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).eval()
    with torch.no_grad():
        plain = float(batch_loss(model, batch, torch.device("cpu")))
        install_fp32_rope(model)
        same_rope = float(batch_loss(model, batch, torch.device("cpu")))
    assert same_rope == summary["eval_loss"]
    assert abs(plain - summary["eval_loss"]) < 1e-5  # Hugging Face's own fp32 RoPE differs in the last bits
    assert json.loads((model_dir / "xuanyuan_train.json").read_text())["eval_loss"] == summary["eval_loss"]


def test_export_has_config_weights_and_expanded_tokenizer(stage1_fp32, tiny):
    model_dir = stage1_fp32[0]
    for name in ("config.json", "model.safetensors", "tokenizer.json", "xuanyuan_tokenizer.json"):
        assert (model_dir / name).is_file(), name
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    config = json.loads((model_dir / "config.json").read_text())
    assert len(tokenizer) <= config["vocab_size"] and config["vocab_size"] % 64 == 0


def test_metrics_file_has_the_throughput_fields(stage1_fp32):
    records = read_metrics(stage1_fp32[2].metrics_path)
    assert [r["step"] for r in records] == list(range(1, 7))
    for record in records:
        assert METRIC_KEYS <= set(record)
        assert record["tokens_per_s"] > 0 and record["tflops"] > 0 and 0 < record["mfu"]
        assert record["grad_norm"] is not None and record["grad_norm"] > 0
    assert all(record["lr"] > 0 for record in records)  # the first step trains too (xuanyuan.train.schedule)
    assert records[-1]["loss"] < records[0]["loss"]
    assert list((stage1_fp32[0].parent / "tb").glob("events.out.tfevents.*"))
