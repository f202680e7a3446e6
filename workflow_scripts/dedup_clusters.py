from xuanyuan.dedup import find_clusters
from xuanyuan.runlog import logged_to

with logged_to(snakemake.log[0]) as log:
    summary = find_clusters(
        list(snakemake.params.prefixes),
        list(snakemake.input.candidates),
        snakemake.output.dropped,
        snakemake.output.summary,
        threshold=snakemake.params.threshold,
        group_key=snakemake.params.group_key,
        stage=snakemake.wildcards.stage,
        exclude_paths=list(snakemake.input.excluded),
    )
    log.info("clusters %s: %s", snakemake.wildcards.stage, summary)
