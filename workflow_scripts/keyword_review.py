from xuanyuan.quality.report import merge_keyword_candidates
from xuanyuan.runlog import logged_to
from xuanyuan.shards import write_json

with logged_to(snakemake.log[0]) as log:
    counts = merge_keyword_candidates(snakemake.input.candidates, snakemake.output.review, snakemake.params.review_cap)
    write_json(snakemake.output.counts, counts)
    log.info("keyword candidates per category: %s", counts)
