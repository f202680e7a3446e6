from xuanyuan.mix import histogram_shard
from xuanyuan.runlog import limit_threads, logged_to

limit_threads(snakemake.threads)
with logged_to(snakemake.log[0]) as log:
    histogram_shard(
        snakemake.input.docs,
        snakemake.output.histogram,
        seed=snakemake.params.seed,
        bits=snakemake.params.bits,
        tokenizer=snakemake.params.tokenizer_dir,
        heldout_fraction=snakemake.params.heldout_fraction,
        bos=snakemake.params.bos,
    )
    log.info("%s histogram of %s written", snakemake.params.unit, snakemake.input.docs)
