# Pre-tokenized training data (docs/tokenized_data.md): each mixed shard becomes one .bin/.idx pair
# per phase (one job per shard), then one merge per phase gives the file the trainer opens.


wildcard_constraints:
    phase="|".join(PHASES),


rule tokenize_shard:
    # One job per mixed shard covers every phase: the tokenizer loads once per shard, not per phase.
    input:
        docs=[f"{WORK}/mix/{phase}/{{source}}/{{shard}}.jsonl.zst" for phase in PHASES],
        tokenizer=TOKENIZER_FILES,
    output:
        **{
            f"{phase}_{kind}": f"{WORK}/tokenized/{phase}/parts/{{source}}/{{shard}}{suffix}"
            for phase in PHASES
            for kind, suffix in [("bin", ".bin"), ("idx", ".idx"), ("sidecar", ".docs.jsonl.zst"), ("stats", ".stats.json")]
        },
    params:
        phases=PHASES,
        prefixes=[f"{WORK}/tokenized/{phase}/parts/{{source}}/{{shard}}" for phase in PHASES],
        tokenizer_dir=input_dir("tokenizer"),
        batch_docs=config["tokenize"]["batch_docs"],
        # [BOS] + ids + [EOS] per document; the mix counts and perplexity follow the same switch.
        bos=config["tokenize"]["bos"],
    log:
        f"{LOGS}/tokenize/{{source}}/{{shard}}.log",
    benchmark:
        f"{BENCH}/tokenize/{{source}}/{{shard}}.tsv"
    threads: rule_threads("tokenize")
    resources:
        **rule_resources("tokenize"),
    conda:
        "../envs/data.yaml"
    script:
        "../workflow_scripts/tokenize_shard.py"


rule tokenize_phase:
    input:
        bins=lambda wildcards: tokenized_parts(wildcards.phase, ".bin"),
        idxs=lambda wildcards: tokenized_parts(wildcards.phase, ".idx"),
        sidecars=lambda wildcards: tokenized_parts(wildcards.phase, ".docs.jsonl.zst"),
        stats=lambda wildcards: tokenized_parts(wildcards.phase, ".stats.json"),
    output:
        bin=f"{WORK}/tokenized/{{phase}}.bin",
        idx=f"{WORK}/tokenized/{{phase}}.idx",
        sidecar=f"{WORK}/tokenized/{{phase}}.docs.jsonl.zst",
        stats=f"{WORK}/tokenized/{{phase}}.stats.json",
    params:
        prefixes=lambda wildcards: tokenized_parts(wildcards.phase, ""),
        prefix=f"{WORK}/tokenized/{{phase}}",
    log:
        f"{LOGS}/tokenize/{{phase}}/merge.log",
    threads: rule_threads("tokenize")
    resources:
        **rule_resources("tokenize"),
    conda:
        "../envs/data.yaml"
    script:
        "../workflow_scripts/tokenize_phase.py"
