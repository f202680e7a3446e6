"""Phased data mixing (docs/mix.md): per-shard histograms, one plan, per-shard apply, a report.

The mix works in one unit, the phases' (``tokens:`` or ``chars:`` in mix.phases): tokens are
counted with the tokenize stage's encoder (ids + EOS), so planned shares are the binary data's.

Jobs and their functions (no Snakemake inside; every path and parameter is explicit):

- histogram (per input shard): ``histogram_shard(in_path, out_path, *, seed, bits, tokenizer=None)``
  (tokenizer directory: weights in tokens; none: characters), or ``shard_histogram(docs, *, seed,
  bits, measure=None) -> Histogram`` + ``write_histogram(path, hist)``; ``read_histogram(path)``.
- plan (one job): ``make_plan(histogram_paths, *, phases, max_epochs, source_weights, seed, bits)
  -> Plan``, ``write_plan(plan, json_path, npz_path)``, ``read_plan(json_path, npz_path) -> Plan``.
- apply (per input shard): ``mix_shard(plan, in_path, out_paths, stats_paths, *, tokenizer=None)``
  (dicts keyed by phase name; a token plan needs the tokenizer), or ``apply_plan(plan, docs,
  writers, *, copy=None, tokenizer=None) -> {phase: stats}``.
- report (one job): ``write_mix_report(plan, stats_paths_by_phase, md_path, csv_path, *, stamp,
  chash, version, token_stats_by_phase=None)``.

A config the data cannot satisfy raises ``MixError`` (a ValueError) saying what to change;
apply output or binary data that differs from the plan raises ``MixMismatch`` (a bug).
"""

from xuanyuan.mix.apply import apply_plan, mix_shard
from xuanyuan.mix.cells import ATTRIBUTES, Cell, bucket_of
from xuanyuan.mix.errors import MixError, MixMismatch
from xuanyuan.mix.histogram import Histogram, histogram_shard, read_histogram, shard_histogram, write_histogram
from xuanyuan.mix.measure import CHARS, TOKENS, CharMeasure, TokenMeasure, measure_for
from xuanyuan.mix.plan import Plan, make_plan, read_plan, write_plan
from xuanyuan.mix.report import write_mix_report

__all__ = [
    "ATTRIBUTES",
    "CHARS",
    "Cell",
    "CharMeasure",
    "Histogram",
    "MixError",
    "MixMismatch",
    "Plan",
    "TOKENS",
    "TokenMeasure",
    "apply_plan",
    "bucket_of",
    "histogram_shard",
    "make_plan",
    "measure_for",
    "mix_shard",
    "read_histogram",
    "read_plan",
    "shard_histogram",
    "write_histogram",
    "write_mix_report",
    "write_plan",
]
