"""Base tokenizer + Chinese character-granularity vocabulary expansion (docs/tokenizer.md).

Modules, one job each:
  cjk          which characters are Chinese (config ranges) and their counts
  standin      a Llama-2-like SentencePiece BPE trained on English, when no base model is given
  spmodel      load/check/write SentencePiece model files
  expand       append frequent characters as new pieces; base ids and scores untouched
  hf           Hugging Face directory: tokenizer.json (fast), tokenizer_config.json, special tokens
  metadata     xuanyuan_tokenizer.json and the padded embedding size
  compression  characters per token / tokens per Chinese character, and the results table
  heldout      the id-hash split into fitting and held-out documents
  stage        the whole stage over corpus shards
"""

from xuanyuan.tokenizer.cjk import count_cjk_chars, parse_cjk_ranges
from xuanyuan.tokenizer.compression import compression_stats, compression_table
from xuanyuan.tokenizer.expand import ExpansionResult, expand_tokenizer
from xuanyuan.tokenizer.heldout import is_heldout
from xuanyuan.tokenizer.hf import write_hf_tokenizer
from xuanyuan.tokenizer.metadata import METADATA_FILE, padded_vocab_size, tokenizer_metadata
from xuanyuan.tokenizer.spmodel import load_model_proto, processor
from xuanyuan.tokenizer.stage import TokenizerSettings, build_tokenizer, compression_rows, write_report
from xuanyuan.tokenizer.standin import train_standin

__all__ = [
    "METADATA_FILE",
    "ExpansionResult",
    "TokenizerSettings",
    "build_tokenizer",
    "compression_rows",
    "compression_stats",
    "compression_table",
    "count_cjk_chars",
    "expand_tokenizer",
    "is_heldout",
    "load_model_proto",
    "padded_vocab_size",
    "parse_cjk_ranges",
    "processor",
    "tokenizer_metadata",
    "train_standin",
    "write_hf_tokenizer",
    "write_report",
]
