from xuanyuan.runlog import logged_to
from xuanyuan.train.job import job_config
from xuanyuan.train.launch import rule_launch_options
from xuanyuan.train.stages import train_sft

with logged_to(snakemake.log[0]) as log:
    summary = train_sft(
        # The param holds what the weights depend on; logging and checkpoint cadence come from the config.
        job_config(snakemake.config, snakemake.params.train),
        snakemake.wildcards.stage,
        rows_dir=snakemake.params.rows_dir,
        init_model=snakemake.params.init_dir,
        tokenizer_dir=snakemake.params.tokenizer_dir,
        out_dir=snakemake.params.out_dir,
        checkpoint_dir=snakemake.params.checkpoint_dir,
        metrics_path=snakemake.output.metrics,
        tensorboard_dir=snakemake.params.tensorboard_dir,
        **rule_launch_options(snakemake),
    )
    log.info("%s trained: %s", snakemake.wildcards.stage, {k: summary[k] for k in ("steps", "eval_loss", "resumed_from")})
