from xuanyuan.runlog import logged_to
from xuanyuan.train.job import job_config
from xuanyuan.train.launch import rule_launch_options
from xuanyuan.train.stages import train_base_standin
from xuanyuan.train.validation import validation_source

with logged_to(snakemake.log[0]) as log:
    summary = train_base_standin(
        # The param holds what the weights depend on; logging and checkpoint cadence come from the config.
        job_config(snakemake.config, snakemake.params.train),
        base_tokenizer_model=f"{snakemake.input.standin}/tokenizer.model",
        base_hf_dir=snakemake.input.base_hf,
        data_prefix=snakemake.params.prefix,
        out_dir=snakemake.params.out_dir,
        checkpoint_dir=snakemake.params.checkpoint_dir,
        metrics_path=snakemake.output.metrics,
        tensorboard_dir=snakemake.params.tensorboard_dir,
        validation=validation_source(snakemake.input.heldout, snakemake.config),
        **rule_launch_options(snakemake),
    )
    log.info("stand-in base trained: %s", {k: summary[k] for k in ("steps", "eval_loss", "resumed_from")})
