"""The self-generated raw corpus that the default config runs on (DESIGN.md: "Anyone on a laptop").

Public API: `generate_corpus(out_dir, documents, plants, seed, huge_document_mb)`, with the
defaults in `DEFAULT_DOCUMENTS` and `DEFAULT_PLANTS`. Run `python -m xuanyuan.corpus --help`.
"""

from xuanyuan.corpus.generate import generate_corpus
from xuanyuan.corpus.settings import DEFAULT_DOCUMENTS, DEFAULT_PLANTS, SOURCES

__all__ = ["generate_corpus", "DEFAULT_DOCUMENTS", "DEFAULT_PLANTS", "SOURCES"]
