from xuanyuan.mix import mix_shard, read_plan
from xuanyuan.runlog import limit_threads, logged_to

limit_threads(snakemake.threads)
with logged_to(snakemake.log[0]) as log:
    phases = list(snakemake.params.phases)
    stats = mix_shard(
        read_plan(snakemake.input.plan, snakemake.input.arrays),
        snakemake.input.docs,
        dict(zip(phases, snakemake.output.docs)),
        dict(zip(phases, snakemake.output.stats)),
        tokenizer=snakemake.params.tokenizer_dir,
        heldout_fraction=snakemake.params.heldout_fraction,
        heldout_path=snakemake.output.heldout,
        bos=snakemake.params.bos,
    )
    log.info("mixed %s: %s", snakemake.input.docs, {p: (s["docs"], s["chars"], s.get("tokens")) for p, s in stats.items()})
