"""Supervised fine-tuning data: instruction files in, packed answer-only-loss rows out (docs/sft.md).

Modules, one job each:
  conversation  the normalised `Conversation` (system, turns, provenance, labels)
  formats       one record of Alpaca / ShareGPT / question-answer -> Conversation, or a reason why not
  jsonstream    records of a JSON array or JSONL file read in chunks (no file held whole)
  ingest        JSON-array and JSONL files -> conversations + ledger + counts, exact repeats removed
  template      XuanYuan-70B-Chat's released chat format: the one place prompts are built
  segments      token ids of template segments that join to exactly the ids of the whole text
  masking       input_ids + labels with the loss on answers (and their EOS) only; max_length handling
  packing       several conversations per row without attention or position leakage; padding saved
  mixture       stage 1 and stage 2 mixes from shares; realised shares for the report
  columns/store a stage's tokenized conversations at ~3 bytes per token (ids, learned mask, offsets)
  rows          packed rows on disk (compact dtypes, written a block at a time) and the trainer's sampler
  stage_data    one stage end to end, streaming: what the sft_data rule calls
"""

from xuanyuan.sft.conversation import Conversation
from xuanyuan.sft.formats import InvalidRecord, record_format, to_conversation
from xuanyuan.sft.ingest import IngestResult, InstructionFile, LedgerEntry, ingest, ingest_paths, read_records
from xuanyuan.sft.masking import (
    IGNORE_INDEX,
    Overflowed,
    TokenizedConversation,
    TokenizeReport,
    encode_segments,
    prompt_ids,
    tokenize_conversation,
    tokenize_conversations,
)
from xuanyuan.sft.mixture import MixResult, allocate, cell_of, group_by, mix, normalised, stage2_shares
from xuanyuan.sft.packing import PackedRows, PackingStats, pack_conversations, plan_rows
from xuanyuan.sft.segments import SegmentEncoder
from xuanyuan.sft.template import (
    ROLES,
    SEPS,
    SYSTEM_MESSAGE,
    Segment,
    chat_segments,
    conversation_text,
    prompt_text,
    render,
)

__all__ = [
    "IGNORE_INDEX", "ROLES", "SEPS", "SYSTEM_MESSAGE",
    "Conversation", "IngestResult", "InstructionFile", "InvalidRecord", "LedgerEntry", "MixResult",
    "Overflowed", "PackedRows", "PackingStats", "Segment", "SegmentEncoder", "TokenizeReport",
    "TokenizedConversation",
    "allocate", "cell_of", "chat_segments", "conversation_text", "encode_segments", "group_by", "ingest",
    "ingest_paths", "mix", "normalised", "pack_conversations", "plan_rows", "prompt_ids", "prompt_text",
    "read_records", "record_format", "render", "stage2_shares", "to_conversation", "tokenize_conversation",
    "tokenize_conversations",
]
