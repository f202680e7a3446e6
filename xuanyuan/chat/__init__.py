"""Talking to a trained model in the released chat format: `python -m xuanyuan chat`, and answers to a file of questions.

  loading     a model directory (bf16/fp32, int8, GPTQ, NF4) and its tokenizer, ready to generate
  session     one conversation: prompts from xuanyuan.sft.template, sampling, streaming, history
  questions   a file of questions -> answers (the `generate` rule)
  cli         the interactive and one-shot command line
"""

from xuanyuan.chat.loading import load_for_inference
from xuanyuan.chat.session import ChatSession, GenerationSettings
from xuanyuan.chat.questions import answer_questions, read_questions

__all__ = ["ChatSession", "GenerationSettings", "answer_questions", "load_for_inference", "read_questions"]
