"""Talking to a trained model in the released chat format: `python -m xuanyuan chat`, and answers to a file of questions.

  loading     a model directory (bf16/fp32, int8, GPTQ, NF4) and its tokenizer, ready to generate
  session     one conversation: prompts from xuanyuan.sft.template, sampling, streaming, history
  questions   a file of questions -> answers (the `generate` rule); questions_file reads one
  cli         the interactive and one-shot command line
"""

import importlib

from xuanyuan.chat.settings import GenerationSettings

# The model-loading names import torch and transformers: on first use, not with the package.
_LAZY = {"ChatSession": "session", "answer_questions": "questions", "load_for_inference": "loading",
         "read_questions": "questions_file"}

__all__ = ["ChatSession", "GenerationSettings", "answer_questions", "load_for_inference", "read_questions"]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(f"xuanyuan.chat.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'xuanyuan.chat' has no attribute {name!r}")
