import json

from xuanyuan.evaluate import read_record, write_eval_tables
from xuanyuan.provenance import config_hash
from xuanyuan.runlog import logged_to

with logged_to(snakemake.log[0]) as log:
    chash = config_hash(dict(snakemake.params.config))
    # Every record was made under this run's config (Snakemake reruns what a change touches).
    records = [{**read_record(path), "config_hash": chash} for path in snakemake.input.records]
    memory = {}
    for path in snakemake.input.memory:
        entry = json.loads(open(path, encoding="utf-8").read())
        memory[entry["variant"]] = entry
    write_eval_tables(records, snakemake.output.markdown, snakemake.output.csv, snakemake.output.png, memory=memory,
                      bf16_reference="bf16" if "bf16" in memory else "sft2")
    log.info("eval tables: %d records, %d variants", len(records), len(memory))
