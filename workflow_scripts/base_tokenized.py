from xuanyuan.runlog import limit_threads, logged_to
from xuanyuan.train.stages import tokenize_base_english

limit_threads(snakemake.threads)
with logged_to(snakemake.log[0]) as log:
    stats = tokenize_base_english(
        list(snakemake.input.docs),
        f"{snakemake.input.standin}/tokenizer.model",
        snakemake.output.hf,
        snakemake.params.prefix,
        snakemake.output.stats,
        heldout_fraction=snakemake.params.heldout_fraction,
        batch_docs=snakemake.params.batch_docs,
        bos=snakemake.params.bos,
    )
    log.info("English for the stand-in base: %d documents, %d tokens", stats["docs"], stats["tokens"])
