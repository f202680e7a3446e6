rule data_funnel:
    input:
        **{stage: stage_outputs(stage, ".stats.json") for stage in DATA_STAGES},
        heldout=MIX_HELDOUT,
    output:
        markdown=report(f"{RESULTS}/data_funnel.md", caption="report/data_funnel.rst", category="Data"),
        csv=f"{RESULTS}/data_funnel.csv",
        png=report(f"{RESULTS}/data_funnel.png", caption="report/data_funnel.rst", category="Data"),
    params:
        stages=DATA_STAGES,
        config=canonical(config),
    log:
        f"{LOGS}/report/data_funnel.log",
    threads: rule_threads("report")
    resources:
        **rule_resources("report"),
    conda:
        "../envs/data.yaml"
    script:
        "../workflow_scripts/data_funnel.py"


rule cleaning_eval:
    input:
        ground_truth=GROUND_TRUTH,
        extract_ledgers=stage_outputs("extract", ".ledger.jsonl.zst"),
        clean_ledgers=stage_outputs("clean", ".ledger.jsonl.zst"),
        clean_docs=stage_outputs("clean", ".jsonl.zst"),
    output:
        markdown=report(f"{RESULTS}/cleaning_eval.md", caption="report/cleaning_eval.rst", category="Data"),
        csv=f"{RESULTS}/cleaning_eval.csv",
    params:
        config=canonical(config),
    log:
        f"{LOGS}/report/cleaning_eval.log",
    threads: rule_threads("report")
    resources:
        **rule_resources("report"),
    conda:
        "../envs/data.yaml"
    script:
        "../workflow_scripts/cleaning_eval.py"


rule extraction_eval:
    input:
        manifest=RAW_MANIFEST,
        docs=stage_outputs("extract", ".jsonl.zst"),
    output:
        markdown=report(f"{RESULTS}/extraction_eval.md", caption="report/extraction_eval.rst", category="Data"),
    params:
        raw_dir=input_dir("manifest"),
        config=canonical(config),
    log:
        f"{LOGS}/report/extraction_eval.log",
    threads: rule_threads("report")
    resources:
        **rule_resources("report"),
    conda:
        "../envs/data.yaml"
    script:
        "../workflow_scripts/extraction_eval.py"


rule dedup_eval:
    input:
        ground_truth=GROUND_TRUTH,
        ledgers=[stage_outputs(stage, ".ledger.jsonl.zst") for stage in DATA_STAGES],
        summaries=expand(f"{WORK}/dedup/{{stage}}/summary.json", stage=["dedup_local", "dedup_global"]),
    output:
        markdown=report(f"{RESULTS}/dedup_eval.md", caption="report/dedup_eval.rst", category="Data"),
        csv=f"{RESULTS}/dedup_eval.csv",
    params:
        config=canonical(config),
        lsh=dataclasses.asdict(LSH),
    log:
        f"{LOGS}/report/dedup_eval.log",
    threads: rule_threads("report")
    resources:
        **rule_resources("report"),
    conda:
        "../envs/data.yaml"
    script:
        "../workflow_scripts/dedup_eval.py"
