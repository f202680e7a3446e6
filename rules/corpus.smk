rule generate_corpus:
    output:
        manifest=RAW_MANIFEST,
        ground_truth=GROUND_TRUTH,
    params:
        out_dir=output_dir("manifest"),
        documents=canonical(config["corpus"]["documents"]),
        plants=canonical(config["corpus"]["plants"]),
        huge_document_mb=config["corpus"]["huge_document_mb"],
        seed=config["seed"],
    log:
        f"{LOGS}/generate_corpus.log",
    benchmark:
        f"{BENCH}/generate_corpus.tsv"
    threads: rule_threads("generate_corpus")
    resources:
        **rule_resources("generate_corpus"),
    conda:
        "../envs/data.yaml"
    script:
        "../workflow_scripts/generate_corpus.py"
