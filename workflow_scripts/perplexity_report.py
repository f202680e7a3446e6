from xuanyuan.provenance import code_version, config_hash
from xuanyuan.runlog import logged_to
from xuanyuan.shards import read_json
from xuanyuan.train.report import write_perplexity_report

with logged_to(snakemake.log[0]) as log:
    verdicts = write_perplexity_report(
        [(variant, read_json(path)) for variant, path in zip(snakemake.params.variants, snakemake.input.perplexity)],
        english_tolerance=snakemake.params.english_tolerance,
        derived={variant: tuple(goal) for variant, goal in snakemake.params.derived.items()},
        md_path=snakemake.output.markdown, csv_path=snakemake.output.csv,
        chash=config_hash(dict(snakemake.params.config)), version=code_version(),
    )
    log.info("perplexity base -> stage2: %s", verdicts)
