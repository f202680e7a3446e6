from xuanyuan.runlog import logged_to
from xuanyuan.tokenizer import TokenizerSettings, build_tokenizer

with logged_to(snakemake.log[0]) as log:
    metadata = build_tokenizer(
        list(snakemake.input.docs),
        snakemake.params.out_dir,
        settings=TokenizerSettings.from_config(snakemake.params.tokenizer),
        standin_dir=snakemake.output.standin,
    )
    log.info("tokenizer: %d base + %d characters = %d pieces (%d embedding rows)", metadata["base_vocab_size"],
             metadata["added_chars_count"], metadata["vocab_size"], metadata["padded_vocab_size"])
