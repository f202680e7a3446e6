import json

from xuanyuan.provenance import code_version, config_hash
from xuanyuan.quantize.report import write_quantize_report
from xuanyuan.runlog import logged_to

with logged_to(snakemake.log[0]) as log:
    rows = [json.loads(open(path, encoding="utf-8").read()) for path in snakemake.input.measures]
    write_quantize_report(rows, source=snakemake.params.source, md_path=snakemake.output.markdown,
                          csv_path=snakemake.output.csv, chash=config_hash(dict(snakemake.params.config)),
                          version=code_version())
    log.info("quantize report: %d variants", len(rows))
