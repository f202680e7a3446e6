from xuanyuan.clean.pipeline import clean_shard
from xuanyuan.runlog import logged_to

with logged_to(snakemake.log[0]) as log:
    stats = clean_shard(
        snakemake.input.docs,
        snakemake.output.docs,
        snakemake.output.ledger,
        snakemake.output.stats,
        source=snakemake.wildcards.source,
        shard=snakemake.wildcards.shard,
        profile=dict(snakemake.params.profile),
        max_ledger_text_chars=snakemake.params.ledger["max_text_chars"],
    )
    log.info("clean %s/%s: %s", snakemake.wildcards.source, snakemake.wildcards.shard, stats)
