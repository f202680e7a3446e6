from xuanyuan.dedup import compute_signatures
from xuanyuan.runlog import logged_to

with logged_to(snakemake.log[0]) as log:
    counts = compute_signatures(
        snakemake.input.docs,
        snakemake.params.prefix,
        num_perm=snakemake.params.num_perm,
        seed=snakemake.params.seed,
        ngram_zh=snakemake.params.ngram_zh,
        ngram_en=snakemake.params.ngram_en,
    )
    log.info("signatures %s: %s", snakemake.params.prefix, counts)
