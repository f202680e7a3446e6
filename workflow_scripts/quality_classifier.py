from xuanyuan.quality.train import build_classifier
from xuanyuan.runlog import logged_to

with logged_to(snakemake.log[0]) as log:
    summary = build_classifier(
        training=dict(snakemake.params.training),
        categories=list(snakemake.params.categories),
        fasttext_settings=dict(snakemake.params.fasttext),
        seed=snakemake.params.seed,
        model_path=snakemake.output.model,
        heldout_path=snakemake.output.heldout,
        summary_path=snakemake.output.summary,
    )
    log.info("classifier trained: %s", summary)
