# Held-out perplexity of every model variant (base, pretraining stages, SFT stages, quantized
# variants: the MODEL_VARIANTS registry of rules/layout.smk) -> results/perplexity.md.


rule perplexity:
    input:
        model=lambda wildcards: MODEL_VARIANTS[wildcards.variant][1],
        docs=stage_outputs("quality", ".jsonl.zst"),
    output:
        json=f"{WORK}/eval/perplexity/{{variant}}.json",
    params:
        model_dir=lambda wildcards: MODEL_VARIANTS[wildcards.variant][0],
        heldout_fraction=config["tokenizer"]["heldout_fraction"],
        # What the scores depend on; english_tolerance is the report's (perplexity_report).
        perplexity=canonical({k: v for k, v in PRETRAIN["perplexity"].items() if k != "english_tolerance"}),
        # Documents laid out as the training data stored them ([BOS] + ids + [EOS] when tokenize.bos).
        bos=config["tokenize"]["bos"],
        quantized=lambda wildcards: wildcards.variant in QUANT_VARIANTS,
        # Where the models run: the evaluation's device (the rule has the evaluate resources).
        device=config["evaluate"]["device"],
    wildcard_constraints:
        variant="|".join(MODEL_VARIANTS),
    log:
        f"{LOGS}/eval/perplexity/{{variant}}.log",
    threads: rule_threads("evaluate")
    resources:
        **rule_resources("evaluate"),
    conda:
        "../envs/train.yaml"
    script:
        "../workflow_scripts/perplexity.py"


rule perplexity_report:
    input:
        perplexity=[f"{WORK}/eval/perplexity/{variant}.json" for variant in MODEL_VARIANTS],
    output:
        markdown=report(f"{RESULTS}/perplexity.md", caption="report/perplexity.rst", category="Training"),
        csv=f"{RESULTS}/perplexity.csv",
    params:
        variants=list(MODEL_VARIANTS),
        english_tolerance=PRETRAIN["perplexity"]["english_tolerance"],
        derived=canonical(quantized_perplexity_goals()),
        config=canonical(config),
    log:
        f"{LOGS}/report/perplexity.log",
    threads: rule_threads("report")
    resources:
        **rule_resources("report"),
    conda:
        "../envs/train.yaml"
    script:
        "../workflow_scripts/perplexity_report.py"
