from xuanyuan.provenance import code_version, config_hash
from xuanyuan.runlog import logged_to
from xuanyuan.shards import read_json
from xuanyuan.train.report import write_perplexity_report, write_pretrain_report

with logged_to(snakemake.log[0]) as log:
    chash, version = config_hash(dict(snakemake.params.config)), code_version()
    write_pretrain_report(
        list(zip(snakemake.params.stages, snakemake.input.metrics, snakemake.input.summaries)),
        md_path=snakemake.output.markdown, csv_path=snakemake.output.csv, png_path=snakemake.output.png,
        chash=chash, version=version,
    )
    verdicts = write_perplexity_report(
        [(variant, read_json(path)) for variant, path in zip(snakemake.params.variants, snakemake.input.perplexity)],
        english_tolerance=snakemake.params.english_tolerance,
        md_path=snakemake.output.perplexity, csv_path=snakemake.output.perplexity_csv, chash=chash, version=version,
    )
    log.info("perplexity base -> stage2: %s", verdicts)
