# Phased mixing (docs/mix.md): per-shard character histograms, one small plan job that fixes
# each phase's shares exactly, then one apply job per shard writing its documents into phases.
# Documents of the tokenizer stage's held-out split go to no phase (they are the evaluation text);
# the apply jobs count them per cell (work/mix/held-out/), for mix.md and the data funnel.

MIX_HELDOUT = [f"{WORK}/mix/held-out/{source}/{shard}.json" for source in SOURCES for shard in shards_of(source)]

# tokenize.bos for token budgets (token weights count the BOS the tokenize stage stores); a character
# mix does not depend on it (None), so changing it reruns no character histogram or apply job.
MIX_BOS = config["tokenize"]["bos"] if MIX_UNIT == "tokens" else None


rule mix_histogram:
    input:
        docs=f"{WORK}/quality/{{source}}/{{shard}}.jsonl.zst",
        tokenizer=MIX_TOKENIZER,
    output:
        histogram=f"{WORK}/mix/histograms/{{source}}/{{shard}}.npz",
    params:
        seed=MIX["seed"],
        bits=MIX["hash_buckets_log2"],
        unit=MIX_UNIT,
        # None when budgets are in characters: no tokenizer input then.
        tokenizer_dir=input_dir("tokenizer"),
        heldout_fraction=config["tokenizer"]["heldout_fraction"],
        bos=MIX_BOS,
    log:
        f"{LOGS}/mix/histograms/{{source}}/{{shard}}.log",
    threads: rule_threads("mix")
    resources:
        **rule_resources("mix"),
    conda:
        "../envs/data.yaml"
    script:
        "../workflow_scripts/mix_histogram.py"


rule mix_plan:
    input:
        histograms=[f"{WORK}/mix/histograms/{source}/{shard}.npz" for source in SOURCES for shard in shards_of(source)],
    output:
        plan=f"{WORK}/mix/plan.json",
        arrays=f"{WORK}/mix/plan.npz",
    params:
        mix=canonical(MIX),
    log:
        f"{LOGS}/mix/plan.log",
    threads: rule_threads("mix")
    resources:
        **rule_resources("mix"),
    conda:
        "../envs/data.yaml"
    script:
        "../workflow_scripts/mix_plan.py"


rule mix_apply:
    input:
        docs=f"{WORK}/quality/{{source}}/{{shard}}.jsonl.zst",
        plan=f"{WORK}/mix/plan.json",
        arrays=f"{WORK}/mix/plan.npz",
        tokenizer=MIX_TOKENIZER,
    output:
        docs=[f"{WORK}/mix/{phase}/{{source}}/{{shard}}.jsonl.zst" for phase in PHASES],
        stats=[f"{WORK}/mix/{phase}/{{source}}/{{shard}}.stats.json" for phase in PHASES],
        # "held-out" cannot be a phase name (phases match ^[a-z][a-z0-9_]*$).
        heldout=f"{WORK}/mix/held-out/{{source}}/{{shard}}.json",
    params:
        phases=PHASES,
        tokenizer_dir=input_dir("tokenizer"),
        heldout_fraction=config["tokenizer"]["heldout_fraction"],
        bos=MIX_BOS,
    log:
        f"{LOGS}/mix/apply/{{source}}/{{shard}}.log",
    threads: rule_threads("mix")
    resources:
        **rule_resources("mix"),
    conda:
        "../envs/data.yaml"
    script:
        "../workflow_scripts/mix_apply.py"


rule mix_report:
    input:
        plan=f"{WORK}/mix/plan.json",
        arrays=f"{WORK}/mix/plan.npz",
        stats=mix_outputs(".stats.json"),
        token_stats=[f"{WORK}/tokenized/{phase}.stats.json" for phase in PHASES],
        heldout=MIX_HELDOUT,
    output:
        markdown=report(f"{RESULTS}/mix.md", caption="report/mix.rst", category="Data"),
        csv=f"{RESULTS}/mix.csv",
    params:
        stats_by_phase={phase: mix_outputs(".stats.json", [phase]) for phase in PHASES},
        token_stats_by_phase={phase: f"{WORK}/tokenized/{phase}.stats.json" for phase in PHASES},
        config=canonical(config),
    log:
        f"{LOGS}/report/mix.log",
    threads: rule_threads("report")
    resources:
        **rule_resources("report"),
    conda:
        "../envs/data.yaml"
    script:
        "../workflow_scripts/mix_report.py"
