import json

from xuanyuan.evaluate import read_record, write_eval_tables
from xuanyuan.runlog import logged_to

with logged_to(snakemake.log[0]) as log:
    # Each record keeps the hash of the evaluate job that made it (xuanyuan.evaluate.variant.job_hash);
    # records from before it was stored have none and show "-".
    records = [read_record(path) for path in snakemake.input.records]
    memory = {}
    for path in snakemake.input.memory:
        entry = json.loads(open(path, encoding="utf-8").read())
        memory[entry["variant"]] = entry
    write_eval_tables(records, snakemake.output.markdown, snakemake.output.csv, snakemake.output.png, memory=memory,
                      bf16_reference="bf16" if "bf16" in memory else "sft2",
                      references=dict(snakemake.params.references), changes_csv_path=snakemake.output.changes)
    log.info("eval tables: %d records, %d variants", len(records), len(memory))
