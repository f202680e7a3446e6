from xuanyuan.quality.keywords import KeywordMatcher, keyword_candidates
from xuanyuan.runlog import logged_to
from xuanyuan.shards import read_records, write_records

with logged_to(snakemake.log[0]) as log:
    matcher = KeywordMatcher(dict(snakemake.params.keywords))
    found = write_records(
        snakemake.output.candidates,
        keyword_candidates(read_records(snakemake.input.docs), matcher, snakemake.params.min_hits),
    )
    log.info("%d keyword candidates", found)
