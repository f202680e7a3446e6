from xuanyuan.plant_eval import write_dedup_eval
from xuanyuan.runlog import logged_to

with logged_to(snakemake.log[0]):
    write_dedup_eval(
        ground_truth_path=snakemake.input.ground_truth,
        ledger_paths=list(snakemake.input.ledgers),
        summary_paths=list(snakemake.input.summaries),
        lsh=dict(snakemake.params.lsh),
        config=dict(snakemake.params.config),
        markdown_path=snakemake.output.markdown,
        csv_path=snakemake.output.csv,
    )
