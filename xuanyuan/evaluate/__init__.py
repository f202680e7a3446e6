"""Evaluation on C-Eval, CMMLU and MMLU (and any folder in their layouts) with lm-eval, and the tables.

Public API (docs/evaluate.md):
  eval_settings(section) -> EvalSettings;  benchmark_specs(settings) -> [BenchmarkSpec]
  build_suite(spec, work_dir) -> Suite      checks the CSVs, writes lm-eval task YAMLs + suite.json
  load_suite(path) -> Suite
  evaluate_model(model, suites, shots, out_dir, variant=...) -> [record paths]
  evaluate_suite(lm, suite, shots, ...) -> record;  hf_lm(model, tokenizer, ...) -> lm-eval HFLM
  write_eval_tables(records, md, csv, png, memory=...)
"""

from xuanyuan.evaluate.csvdata import BenchmarkFileError, read_questions
from xuanyuan.evaluate.report import eval_markdown, eval_rows, write_eval_tables
from xuanyuan.evaluate.run import (
    evaluate_model, evaluate_suite, hf_lm, read_record, record_name, write_record,
)
from xuanyuan.evaluate.settings import BenchmarkSpec, EvalSettings, benchmark_specs, eval_settings
from xuanyuan.evaluate.tasks import Suite, build_local_suite, build_suite, hub_suite, load_suite

__all__ = [
    "BenchmarkFileError", "BenchmarkSpec", "EvalSettings", "Suite", "benchmark_specs", "build_local_suite",
    "build_suite", "eval_markdown", "eval_rows", "eval_settings", "evaluate_model", "evaluate_suite", "hf_lm",
    "hub_suite", "load_suite", "read_questions", "read_record", "record_name", "write_eval_tables", "write_record",
]
