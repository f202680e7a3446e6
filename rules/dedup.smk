# Two-stage MinHash LSH dedup (docs/dedup.md): signatures once per cleaned shard; per stage,
# candidate pairs per band group, one clustering job, then one apply job per shard.
# Stage 1 (dedup_local) buckets within each category; stage 2 (dedup_global) across all
# categories, on the stage-1 survivors, reusing the stage-1 signatures.


rule minhash_signatures:
    input:
        docs=f"{WORK}/clean/{{source}}/{{shard}}.jsonl.zst",
    output:
        signatures=f"{WORK}/dedup/signatures/{{source}}/{{shard}}.sig.npy",
        docs=f"{WORK}/dedup/signatures/{{source}}/{{shard}}.docs.json",
    params:
        prefix=f"{WORK}/dedup/signatures/{{source}}/{{shard}}",
        num_perm=DEDUP["num_perm"],
        seed=DEDUP["seed"],
        ngram_zh=DEDUP["ngram_zh"],
        ngram_en=DEDUP["ngram_en"],
    log:
        f"{LOGS}/dedup/signatures/{{source}}/{{shard}}.log",
    benchmark:
        f"{BENCH}/dedup/signatures/{{source}}/{{shard}}.tsv"
    threads: rule_threads("dedup")
    resources:
        **rule_resources("dedup"),
    conda:
        "../envs/data.yaml"
    script:
        "../workflow_scripts/minhash_signatures.py"


rule lsh_candidates:
    input:
        signatures=SIGNATURE_FILES,
        excluded=lambda wildcards: dedup_excluded(wildcards.stage),
    output:
        candidates=f"{WORK}/dedup/{{stage}}/candidates/{{band_job}}.npy",
    params:
        prefixes=SIGNATURE_PREFIXES,
        bands=lambda wildcards: list(BAND_GROUPS[int(wildcards.band_job)]),
        rows=LSH.rows,
        group_key=lambda wildcards: dedup_group_key(wildcards.stage),
        full_pairs_bucket=DEDUP["full_pairs_bucket"],
    log:
        f"{LOGS}/dedup/{{stage}}/candidates/{{band_job}}.log",
    benchmark:
        f"{BENCH}/dedup/{{stage}}/candidates/{{band_job}}.tsv"
    threads: rule_threads("dedup")
    resources:
        **rule_resources("dedup"),
    conda:
        "../envs/data.yaml"
    script:
        "../workflow_scripts/lsh_candidates.py"


rule dedup_clusters:
    input:
        signatures=SIGNATURE_FILES,
        candidates=expand(f"{WORK}/dedup/{{{{stage}}}}/candidates/{{band_job}}.npy", band_job=BAND_JOBS),
        excluded=lambda wildcards: dedup_excluded(wildcards.stage),
    output:
        dropped=f"{WORK}/dedup/{{stage}}/dropped.jsonl.zst",
        summary=f"{WORK}/dedup/{{stage}}/summary.json",
    params:
        prefixes=SIGNATURE_PREFIXES,
        threshold=DEDUP["threshold"],
        group_key=lambda wildcards: dedup_group_key(wildcards.stage),
    log:
        f"{LOGS}/dedup/{{stage}}/clusters.log",
    benchmark:
        f"{BENCH}/dedup/{{stage}}/clusters.tsv"
    threads: rule_threads("dedup")
    resources:
        **rule_resources("dedup"),
    conda:
        "../envs/data.yaml"
    script:
        "../workflow_scripts/dedup_clusters.py"


rule dedup_apply:
    input:
        docs=lambda wildcards: f"{WORK}/{DEDUP_INPUT_STAGE[wildcards.stage]}/{wildcards.source}/{wildcards.shard}.jsonl.zst",
        dropped=f"{WORK}/dedup/{{stage}}/dropped.jsonl.zst",
    output:
        docs=f"{WORK}/{{stage}}/{{source}}/{{shard}}.jsonl.zst",
        ledger=f"{WORK}/{{stage}}/{{source}}/{{shard}}.ledger.jsonl.zst",
        stats=f"{WORK}/{{stage}}/{{source}}/{{shard}}.stats.json",
    params:
        threshold=DEDUP["threshold"],
    log:
        f"{LOGS}/{{stage}}/{{source}}/{{shard}}.log",
    threads: rule_threads("dedup")
    resources:
        **rule_resources("dedup"),
    conda:
        "../envs/data.yaml"
    script:
        "../workflow_scripts/dedup_apply.py"
