"""The default run's stand-in base model: a tiny Llama pretrained briefly on English with the base tokenizer.

On a cluster the base is Llama-2 (`model.path`). The default run has no such checkpoint, so it
makes one the same way Llama-2 was made, at toy scale: a fresh Llama of the `model.standin` sizes,
trained for `pretrain.base_standin.steps` by the same trainer on the English documents of the
corpus, tokenized with the *base* (stand-in) tokenizer. Chinese is then as foreign to it as to
Llama-2 (spelled in byte pieces), so stage 1/2 can show whether Chinese improves while English holds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from xuanyuan.tokenizer import processor, write_hf_tokenizer
from xuanyuan.train.job import TrainJob


def base_tokenizer_dir(base_tokenizer_model: str | Path, out_dir: str | Path) -> Path:
    """Hugging Face tokenizer files of the base SentencePiece model (copied into the stand-in's export)."""
    return write_hf_tokenizer(base_tokenizer_model, out_dir)


def standin_job(config: dict[str, Any], *, base_tokenizer_model: str | Path, data: list[tuple[str, list[str]]],
                out_dir: str, checkpoint_dir: str, metrics_path: str, tokenizer_hf_dir: str | Path,
                tensorboard_dir: str | None = None) -> TrainJob:
    """The job that pretrains the stand-in: `data` is the English text tokenized with the base tokenizer."""
    vocab_size = processor(base_tokenizer_model).get_piece_size()
    # The pipeline writes these files in an earlier rule; rewriting an input would touch its mtime.
    existing = Path(tokenizer_hf_dir)
    tokenizer_dir = existing if (existing / "tokenizer.json").is_file() else base_tokenizer_dir(base_tokenizer_model, existing)
    return TrainJob(stage="base_standin", data=data, out_dir=out_dir, checkpoint_dir=checkpoint_dir,
                    metrics_path=metrics_path, tokenizer_dir=str(tokenizer_dir), init_model=None,
                    vocab_size=vocab_size, tensorboard_dir=tensorboard_dir,
                    model=dict(config.get("model") or {}), train=dict(config.get("pretrain") or {}))
