# Harmful-content filter (docs/quality.md): a fastText classifier trained once on annotated
# examples, then one filter job per shard; keyword sampling proposes candidates for review.


rule quality_classifier:
    input:
        # The annotated files themselves, not only their paths (params): editing one in place
        # retrains the classifier and refilters, and a missing one stops the plan before any job.
        # Empty for the default run, whose set is generated in the job (xuanyuan.corpus.labelled).
        training=[spec["path"] for spec in QUALITY["training"].get("files") or []],
    output:
        model=f"{QUALITY_MODEL}/classifier.bin",
        heldout=f"{QUALITY_MODEL}/heldout.jsonl.zst",
        summary=f"{QUALITY_MODEL}/training_summary.json",
    params:
        training=canonical(QUALITY["training"]),
        categories=QUALITY["categories"],
        fasttext=canonical(QUALITY["fasttext"]),
        seed=config["seed"],
    log:
        f"{LOGS}/quality/classifier.log",
    benchmark:
        f"{BENCH}/quality/classifier.tsv"
    threads: rule_threads("quality")
    resources:
        **rule_resources("quality"),
    conda:
        "../envs/data.yaml"
    script:
        "../workflow_scripts/quality_classifier.py"


rule quality_filter:
    input:
        docs=f"{WORK}/dedup_global/{{source}}/{{shard}}.jsonl.zst",
        model=f"{QUALITY_MODEL}/classifier.bin",
    output:
        docs=f"{WORK}/quality/{{source}}/{{shard}}.jsonl.zst",
        ledger=f"{WORK}/quality/{{source}}/{{shard}}.ledger.jsonl.zst",
        stats=f"{WORK}/quality/{{source}}/{{shard}}.stats.json",
    params:
        categories=QUALITY["categories"],
        thresholds=canonical(QUALITY["thresholds"]),
        max_chars=QUALITY["fasttext"]["max_chars"],
        windows=canonical(QUALITY["windows"]),
        passages=canonical(QUALITY["passages"]),
        ledger=canonical(config["ledger"]),
    log:
        f"{LOGS}/quality/{{source}}/{{shard}}.log",
    benchmark:
        f"{BENCH}/quality/{{source}}/{{shard}}.tsv"
    threads: rule_threads("quality")
    resources:
        **rule_resources("quality"),
    conda:
        "../envs/data.yaml"
    script:
        "../workflow_scripts/quality_filter.py"


rule keyword_candidates:
    input:
        docs=f"{WORK}/dedup_global/{{source}}/{{shard}}.jsonl.zst",
    output:
        candidates=f"{QUALITY_MODEL}/keywords/{{source}}/{{shard}}.jsonl.zst",
    params:
        # The lists themselves, so that editing the keyword file reruns these jobs.
        keywords=HARMFUL_KEYWORDS,
        min_hits=QUALITY["keyword_min_hits"],
    log:
        f"{LOGS}/quality/keywords/{{source}}/{{shard}}.log",
    threads: rule_threads("quality")
    resources:
        **rule_resources("quality"),
    conda:
        "../envs/data.yaml"
    script:
        "../workflow_scripts/keyword_candidates.py"


rule keyword_review:
    input:
        candidates=expand(
            f"{QUALITY_MODEL}/keywords/{{source_shard}}.jsonl.zst",
            source_shard=[f"{source}/{shard}" for source in SOURCES for shard in shards_of(source)],
        ),
    output:
        review=f"{QUALITY_MODEL}/keyword_candidates.jsonl.zst",
        counts=f"{QUALITY_MODEL}/keyword_counts.json",
    params:
        review_cap=QUALITY["keyword_review_cap"],
    log:
        f"{LOGS}/quality/keyword_review.log",
    threads: rule_threads("report")
    resources:
        **rule_resources("report"),
    conda:
        "../envs/data.yaml"
    script:
        "../workflow_scripts/keyword_review.py"


rule quality_report:
    input:
        model=f"{QUALITY_MODEL}/classifier.bin",
        heldout=f"{QUALITY_MODEL}/heldout.jsonl.zst",
        summary=f"{QUALITY_MODEL}/training_summary.json",
        stats=stage_outputs("quality", ".stats.json"),
        ledgers=stage_outputs("quality", ".ledger.jsonl.zst"),
        candidates=rules.keyword_review.input.candidates,
        counts=f"{QUALITY_MODEL}/keyword_counts.json",
        ground_truth=[GROUND_TRUTH] if CORPUS_IS_GENERATED else [],
        quality_input=stage_outputs("dedup_global", ".jsonl.zst") if CORPUS_IS_GENERATED else [],
    output:
        markdown=report(f"{RESULTS}/quality.md", caption="report/quality.rst", category="Data"),
        csv=f"{RESULTS}/quality.csv",
    params:
        categories=QUALITY["categories"],
        thresholds=canonical(QUALITY["thresholds"]),
        windows=canonical(QUALITY["windows"]),
        passages=canonical(QUALITY["passages"]),
        max_chars=QUALITY["fasttext"]["max_chars"],
        # Which ordinary documents surround each buried plant (xuanyuan.quality.buried).
        seed=config["seed"],
        config=canonical(config),
    log:
        f"{LOGS}/report/quality.log",
    threads: rule_threads("report")
    resources:
        **rule_resources("report"),
    conda:
        "../envs/data.yaml"
    script:
        "../workflow_scripts/quality_report.py"
