from xuanyuan.provenance import code_version, config_hash
from xuanyuan.runlog import logged_to
from xuanyuan.train.report import write_pretrain_report

with logged_to(snakemake.log[0]) as log:
    write_pretrain_report(
        list(zip(snakemake.params.stages, snakemake.input.metrics, snakemake.input.summaries)),
        md_path=snakemake.output.markdown, csv_path=snakemake.output.csv, png_path=snakemake.output.png,
        chash=config_hash(dict(snakemake.params.config)), version=code_version(),
    )
    log.info("pretraining report written: %s", snakemake.output.markdown)
