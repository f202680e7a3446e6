rule generate_corpus:
    output:
        manifest=RAW_MANIFEST,
        ground_truth=GROUND_TRUTH,
    params:
        out_dir=f"{WORK}/raw",
        documents=canonical(config["corpus"]["documents"]),
        plants=canonical(config["corpus"]["plants"]),
        huge_document_mb=config["corpus"]["huge_document_mb"],
        seed=config["seed"],
    log:
        f"{LOGS}/generate_corpus.log",
    benchmark:
        f"{BENCH}/generate_corpus.tsv"
    threads: resources_of("generate_corpus")["threads"]
    resources:
        mem_mb=resources_of("generate_corpus")["mem_mb"],
        runtime=resources_of("generate_corpus")["runtime"],
    conda:
        "../envs/data.yaml"
    script:
        "../workflow_scripts/generate_corpus.py"
