from xuanyuan.dedup import apply_dedup
from xuanyuan.runlog import logged_to

with logged_to(snakemake.log[0]) as log:
    stats = apply_dedup(
        snakemake.input.docs,
        snakemake.output.docs,
        snakemake.output.ledger,
        snakemake.output.stats,
        [snakemake.input.dropped],
        stage=snakemake.wildcards.stage,
        source=snakemake.wildcards.source,
        shard=snakemake.wildcards.shard,
        threshold=snakemake.params.threshold,
    )
    log.info("%s %s/%s: %s", snakemake.wildcards.stage, snakemake.wildcards.source, snakemake.wildcards.shard, stats)
