from xuanyuan.runlog import logged_to
from xuanyuan.sft.settings import sft_settings
from xuanyuan.sft.stage_data import build_stage_rows, generated_files, summary_line

with logged_to(snakemake.log[0]) as log:
    stage = snakemake.wildcards.stage
    # The param holds this stage's data settings; the other stage's, only validated, come from the config.
    settings = sft_settings({**snakemake.config["sft"], **snakemake.params.sft})
    files = settings.stages[stage].files
    if files is None:
        files = generated_files(snakemake.input.files[0].rsplit("/", 1)[0])
    stats = build_stage_rows(
        files, stage, settings, tokenizer_dir=snakemake.params.tokenizer_dir, seq_length=snakemake.params.seq_length,
        out_dir=snakemake.params.rows_dir, ledger_path=snakemake.output.ledger, stats_path=snakemake.output.stats,
    )
    log.info("%s", summary_line(stats))
