# Held-out perplexity of every model variant (base, pretraining stages, SFT stages, quantized
# variants: the MODEL_VARIANTS registry the other rule files fill) -> results/perplexity.md.


def quantized_perplexity_goals():
    """{quantized variant: [its reference, allowed relative rise]}: the bf16 copy when made, else the source."""
    reference = "bf16" if "bf16" in QUANT_VARIANTS else QUANT_SOURCE
    goals = QUANTIZE["perplexity_goals"]
    return {variant: [reference, goals[variant]] for variant in QUANT_VARIANTS if variant in goals and variant != reference}


rule perplexity:
    input:
        model=lambda wildcards: MODEL_VARIANTS[wildcards.variant][1],
        docs=stage_outputs("quality", ".jsonl.zst"),
    output:
        json=f"{WORK}/eval/perplexity/{{variant}}.json",
    params:
        model_dir=lambda wildcards: MODEL_VARIANTS[wildcards.variant][0],
        heldout_fraction=config["tokenizer"]["heldout_fraction"],
        perplexity=canonical(PRETRAIN["perplexity"]),
        quantized=lambda wildcards: wildcards.variant in QUANT_VARIANTS,
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
