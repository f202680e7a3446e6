rule clean:
    input:
        docs=f"{WORK}/extract/{{source}}/{{shard}}.jsonl.zst",
    output:
        docs=f"{WORK}/clean/{{source}}/{{shard}}.jsonl.zst",
        ledger=f"{WORK}/clean/{{source}}/{{shard}}.ledger.jsonl.zst",
        stats=f"{WORK}/clean/{{source}}/{{shard}}.stats.json",
    params:
        profile=clean_profile_for,
        ledger=canonical(config["ledger"]),
    log:
        f"{LOGS}/clean/{{source}}/{{shard}}.log",
    benchmark:
        f"{BENCH}/clean/{{source}}/{{shard}}.tsv"
    threads: rule_threads("clean")
    resources:
        **rule_resources("clean"),
    conda:
        "../envs/data.yaml"
    script:
        "../workflow_scripts/clean.py"
