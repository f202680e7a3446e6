rule extract:
    input:
        raw_files_of_shard,
    output:
        docs=f"{WORK}/extract/{{source}}/{{shard}}.jsonl.zst",
        ledger=f"{WORK}/extract/{{source}}/{{shard}}.ledger.jsonl.zst",
        stats=f"{WORK}/extract/{{source}}/{{shard}}.stats.json",
    params:
        source=source_settings,
        extract=canonical(config["extract"]),
        ledger=canonical(config["ledger"]),
    log:
        f"{LOGS}/extract/{{source}}/{{shard}}.log",
    benchmark:
        f"{BENCH}/extract/{{source}}/{{shard}}.tsv"
    threads: rule_threads("extract")
    resources:
        **rule_resources("extract"),
    conda:
        "../envs/data.yaml"
    script:
        "../workflow_scripts/extract.py"
