# Answers of a model variant to a file of questions (generate.questions), with the seed's sampling
# defaults; results/sft.md shows them for generate.variants.


rule generate:
    input:
        model=lambda wildcards: MODEL_VARIANTS[wildcards.variant][1],
        questions=QUESTIONS,
    output:
        answers=f"{WORK}/generate/{{variant}}.jsonl",
    params:
        model_dir=lambda wildcards: MODEL_VARIANTS[wildcards.variant][0],
        # Not the variant list: which variants are answered is the targets' business.
        generate=canonical({key: value for key, value in GENERATE.items() if key != "variants"}),
        shipped_questions=SHIPPED_QUESTIONS,
        system=SFT["system"],
    wildcard_constraints:
        variant="|".join(MODEL_VARIANTS),
    log:
        f"{LOGS}/generate/{{variant}}.log",
    threads: rule_threads("generate")
    resources:
        **rule_resources("generate"),
    conda:
        "../envs/train.yaml"
    script:
        "../workflow_scripts/generate.py"


rule sft_report:
    input:
        stats=[f"{WORK}/sft/{stage}/stats.json" for stage in ("sft1", "sft2")],
        metrics=[f"{METRICS}/{stage}.jsonl" for stage in ("sft1", "sft2")],
        summaries=[f"{MODELS}/{stage}/xuanyuan_train.json" for stage in ("sft1", "sft2")],
        answers=[f"{WORK}/generate/{variant}.jsonl" for variant in GENERATE["variants"]],
    output:
        markdown=report(f"{RESULTS}/sft.md", caption="report/sft.rst", category="Training"),
        csv=f"{RESULTS}/sft.csv",
        png=report(f"{RESULTS}/sft_loss.png", caption="report/sft.rst", category="Training"),
    params:
        variants=GENERATE["variants"],
        generate=canonical(GENERATE),
        config=canonical(config),
    log:
        f"{LOGS}/report/sft.log",
    threads: rule_threads("report")
    resources:
        **rule_resources("report"),
    conda:
        "../envs/train.yaml"
    script:
        "../workflow_scripts/sft_report.py"
