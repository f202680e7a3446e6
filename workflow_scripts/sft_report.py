import json

from xuanyuan.provenance import code_version, config_hash
from xuanyuan.runlog import logged_to
from xuanyuan.sft.report import write_sft_report


def read_jsonl(path):
    with open(path, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


with logged_to(snakemake.log[0]) as log:
    write_sft_report(
        list(zip(snakemake.input.stats, snakemake.input.metrics, snakemake.input.summaries)),
        [(variant, read_jsonl(path)) for variant, path in zip(snakemake.params.variants, snakemake.input.answers)],
        dict(snakemake.params.generate),
        md_path=snakemake.output.markdown, csv_path=snakemake.output.csv, png_path=snakemake.output.png,
        chash=config_hash(dict(snakemake.params.config)), version=code_version(),
    )
    log.info("SFT report written: %s", snakemake.output.markdown)
