from xuanyuan.runlog import logged_to
from xuanyuan.shards import read_json, write_json
from xuanyuan.tokdata import merge_indexed
from xuanyuan.tokdata.stats import merge_token_stats

with logged_to(snakemake.log[0]) as log:
    merged = merge_indexed(list(snakemake.params.prefixes), snakemake.params.prefix)
    stats = merge_token_stats([read_json(path) for path in snakemake.input.stats], phase=snakemake.wildcards.phase)
    if (stats["docs"], stats["tokens"]) != (merged["docs"], merged["tokens"]):
        raise RuntimeError(f"merged pair has {merged} but the parts' stats add up to {stats['docs']} docs, {stats['tokens']} tokens")
    write_json(snakemake.output.stats, stats)
    log.info("phase %s: %s", snakemake.wildcards.phase, merged)
