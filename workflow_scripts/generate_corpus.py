from xuanyuan.corpus.generate import generate_corpus
from xuanyuan.runlog import logged_to

with logged_to(snakemake.log[0]) as log:
    manifest = generate_corpus(
        snakemake.params.out_dir,
        documents=dict(snakemake.params.documents),
        plants=dict(snakemake.params.plants),
        seed=snakemake.params.seed,
        huge_document_mb=snakemake.params.huge_document_mb,
        overwrite=True,  # a rerun replaces the corpus this rule wrote before
    )
    log.info("generated corpus: %s", manifest.get("counts", {}))
