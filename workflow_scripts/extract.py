from xuanyuan.extract.run import extract_shard
from xuanyuan.runlog import logged_to
from xuanyuan.sources import files_for_shard, list_source_files

with logged_to(snakemake.log[0]) as log:
    source = dict(snakemake.params.source)
    files = files_for_shard(list_source_files(source["paths"]), int(snakemake.wildcards.shard), source["shards"])
    stats = extract_shard(
        files,
        source=snakemake.wildcards.source,
        source_cfg=source,
        extract_cfg=dict(snakemake.params.extract),
        out_path=snakemake.output.docs,
        ledger_path=snakemake.output.ledger,
        stats_path=snakemake.output.stats,
        shard=snakemake.wildcards.shard,
        max_ledger_text_chars=snakemake.params.ledger["max_text_chars"],
    )
    log.info("extract %s/%s: %s", snakemake.wildcards.source, snakemake.wildcards.shard, stats)
