from xuanyuan.runlog import logged_to
from xuanyuan.train.job import job_config
from xuanyuan.train.launch import rule_launch_options
from xuanyuan.train.stages import train_stage
from xuanyuan.train.validation import validation_source

with logged_to(snakemake.log[0]) as log:
    summary = train_stage(
        # The param holds what the weights depend on; logging and checkpoint cadence come from the config.
        job_config(snakemake.config, snakemake.params.train),
        snakemake.wildcards.stage,
        phases=list(snakemake.params.phases),
        phase_prefixes=list(snakemake.params.prefixes),
        init_model=snakemake.params.init_dir,
        tokenizer_dir=snakemake.params.tokenizer_dir,
        out_dir=snakemake.params.out_dir,
        checkpoint_dir=snakemake.params.checkpoint_dir,
        metrics_path=snakemake.output.metrics,
        tensorboard_dir=snakemake.params.tensorboard_dir,
        validation=validation_source(snakemake.input.heldout, snakemake.config),
        **rule_launch_options(snakemake),
    )
    log.info("%s trained: %s", snakemake.wildcards.stage, {k: summary[k] for k in ("steps", "eval_loss", "resumed_from")})
