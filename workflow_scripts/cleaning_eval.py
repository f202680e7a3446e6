from xuanyuan.plant_eval import write_cleaning_eval
from xuanyuan.runlog import logged_to

with logged_to(snakemake.log[0]):
    write_cleaning_eval(
        ground_truth_path=snakemake.input.ground_truth,
        ledger_paths=list(snakemake.input.extract_ledgers) + list(snakemake.input.clean_ledgers),
        clean_doc_paths=list(snakemake.input.clean_docs),
        config=dict(snakemake.params.config),
        markdown_path=snakemake.output.markdown,
        csv_path=snakemake.output.csv,
    )
