from xuanyuan.quality.classifier import HarmClassifier
from xuanyuan.quality.filter import filter_shard
from xuanyuan.quality.passages import PassageSettings
from xuanyuan.quality.windows import WindowSettings
from xuanyuan.runlog import logged_to

with logged_to(snakemake.log[0]) as log:
    stats = filter_shard(
        snakemake.input.docs,
        HarmClassifier.load(
            snakemake.input.model, snakemake.params.categories, snakemake.params.max_chars,
            WindowSettings.from_config(dict(snakemake.params.windows)),
        ),
        dict(snakemake.params.thresholds),
        source=snakemake.wildcards.source,
        shard=snakemake.wildcards.shard,
        out_path=snakemake.output.docs,
        ledger_path=snakemake.output.ledger,
        stats_path=snakemake.output.stats,
        max_text_chars=snakemake.params.ledger["max_text_chars"],
        passages=PassageSettings.from_config(dict(snakemake.params.passages)),
    )
    log.info("quality %s/%s: %s", snakemake.wildcards.source, snakemake.wildcards.shard, stats)
