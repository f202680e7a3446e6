"""Pre-tokenized, memory-mapped training data (docs/tokenized_data.md).

Write: `tokenize_documents` (records -> `.bin`/`.idx`/`.docs.jsonl.zst`), `merge_indexed`.
Read: `IndexedDataset` (documents), `PackedSamples` (fixed-length samples of one pair),
`PhaseSampler` (the curriculum over mixing phases), `StageCurriculum` (one stage's budget over it). Check: `detokenize_all`.
"""

from xuanyuan.tokdata.layout import TokDataError, bin_path, idx_path, sidecar_path, token_dtype
from xuanyuan.tokdata.merge import merge_indexed
from xuanyuan.tokdata.packing import PackedSamples
from xuanyuan.tokdata.reader import IndexedDataset
from xuanyuan.tokdata.roundtrip import detokenize_all
from xuanyuan.tokdata.sampler import PhaseSampler, StageCurriculum
from xuanyuan.tokdata.specials import document_bos_id, document_ids, special_tokens_per_doc
from xuanyuan.tokdata.writer import tokenize_documents

__all__ = [
    "IndexedDataset",
    "PackedSamples",
    "PhaseSampler",
    "StageCurriculum",
    "TokDataError",
    "bin_path",
    "detokenize_all",
    "document_bos_id",
    "document_ids",
    "idx_path",
    "merge_indexed",
    "sidecar_path",
    "special_tokens_per_doc",
    "token_dtype",
    "tokenize_documents",
]
