from xuanyuan.dedup import band_candidates
from xuanyuan.runlog import logged_to

with logged_to(snakemake.log[0]) as log:
    counts = band_candidates(
        list(snakemake.params.prefixes),
        list(snakemake.params.bands),
        snakemake.params.rows,
        snakemake.output.candidates,
        group_key=snakemake.params.group_key,
        exclude_paths=list(snakemake.input.excluded),
        full_pairs_bucket=snakemake.params.full_pairs_bucket,
    )
    log.info("candidates %s: %s", snakemake.output.candidates, counts)
