"""results/quantize.md + .csv: memory and generation speed of each variant, with ratios to bf16.

The recipe reports 129G / 65G / 35G of memory for bf16 / 8-bit / 4-bit XuanYuan-70B, and notes that
its Hugging Face 4-bit path generated about 12x slower than fp16; this table is the same comparison
for our variants, measured, on the machine that ran the job.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from xuanyuan.quantize.measure import with_ratios
from xuanyuan.tables import markdown_table, write_csv, write_text

MB = 1e6


def _mb(value: float | None) -> Any:
    return "-" if value is None else round(value / MB, 3)


def _ratio(row: Mapping[str, Any], key: str) -> Any:
    value = row.get("ratios", {}).get(key)
    return "-" if value is None else round(value, 3)


def _fallback_cell(row: Mapping[str, Any]) -> Any:
    """GPTQ modules quantized by round-to-nearest: a count (+ "mock" after a NaN), "-" where not recorded."""
    fallback = row.get("gptq_fallback")
    if fallback is None:
        return "-"
    return f"{len(fallback['modules'])}{' + mock' if fallback.get('mock_quantization') else ''}"


def fallback_warnings(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """One line per variant some of whose modules GPTQModel did not quantize with GPTQ."""
    lines = []
    for row in rows:
        fallback = row.get("gptq_fallback") or {}
        modules = fallback.get("modules") or []
        if not modules and not fallback.get("mock_quantization"):
            continue
        names = ", ".join(f"layer {m['layer']} {m['module']}" for m in modules[:8]) + (" ..." if len(modules) > 8 else "")
        what = [f"{len(modules)} module(s) were quantized by GPTQModel's round-to-nearest fallback, not GPTQ "
                f"(too few calibration samples reached them: {names})"] if modules else []
        if fallback.get("mock_quantization"):
            what.append("after a NaN loss GPTQModel switched to mock quantization (identity Hessian) for the "
                        "module and every later one")
        lines.append(f"**Warning: {row['variant']}**: {'; '.join(what)}. Its quality is not GPTQ's; "
                     f"`{row.get('model_dir', row['variant'])}/quantize.json` (`gptq_fallback`) lists them. Fix: more "
                     "or longer calibration windows (quantize.gptq.n_samples, quantize.gptq.seq_length).\n")
    return lines


def write_quantize_report(rows: Sequence[Mapping[str, Any]], *, source: str, md_path: str, csv_path: str, chash: str,
                          version: str) -> None:
    """`rows`: measure_variant() results (with `variant`), bf16 among them for the ratios."""
    rows = with_ratios(rows, reference="bf16")
    batch_sizes = sorted({s["batch_size"] for row in rows for s in row.get("speed", [])})
    header = ["variant", "weights MB", "/ bf16", "on disk MB", "/ bf16", "peak MB (forward)", "/ bf16"]
    header += [f"tokens/s b{b}" for b in batch_sizes] + [f"/ bf16 b{b}" for b in batch_sizes]
    header += ["RTN fallback modules"]
    table = []
    for row in rows:
        speed = {s["batch_size"]: s["tokens_per_s"] for s in row.get("speed", [])}
        table.append([
            row["variant"], _mb(row.get("weight_bytes")), _ratio(row, "weight_bytes"), _mb(row.get("stored_bytes")),
            _ratio(row, "stored_bytes"), _mb(row.get("peak_bytes")), _ratio(row, "peak_bytes"),
            *[round(speed[b], 1) if b in speed else "-" for b in batch_sizes],
            *[_ratio(row, f"tokens_per_s_b{b}") for b in batch_sizes],
            _fallback_cell(row),
        ])
    device = ", ".join(sorted({str(row.get("device", "cpu")) for row in rows}))
    # Rows measured before the hardware was recorded have none.
    hardware = "; ".join(sorted({row["hardware"] for row in rows if row.get("hardware")}))
    if hardware:
        device = f"{device} ({hardware})"
    forward = next((row.get("forward") for row in rows if row.get("forward")), {}) or {}
    write_text(md_path, "\n".join([
        "# Quantized variants\n",
        f"config `{chash}` · code `{version}`\n",
        f"Source model: `{source}`. Measured on {device}. Weights: bytes of parameters, buffers and quantization "
        "constants as loaded; on disk: the directory's safetensors. Peak: over one forward pass of batch "
        f"{forward.get('batch_size', '-')} x {forward.get('seq_length', '-')} tokens "
        f"({forward.get('method', '-')}; on CPU the resident set, so it includes the Python process). Tokens/s: "
        "greedy generation of a fixed number of new tokens from fixed prompts, best of the configured repeats. "
        "For reference, the recipe reports 129G / 65G / 35G for bf16 / 8-bit / 4-bit XuanYuan-70B, and a 4-bit "
        "Hugging Face path about 12x slower than fp16. On a tiny model embeddings and norms (left unquantized) "
        "weigh relatively more than in a 70B model, so the memory ratios here are less favourable.\n",
        markdown_table(header, table),
        "\nRTN fallback modules: GPTQ modules GPTQModel quantized by round-to-nearest instead (\"-\": not "
        "GPTQ, or not recorded).\n",
        *fallback_warnings(rows),
        "\nPerplexity of each variant against its source: results/perplexity.md. Benchmarks: results/eval.md.\n",
    ]))
    write_csv(csv_path, ["config_hash", "code_version", *header], [[chash, version, *line] for line in table])
