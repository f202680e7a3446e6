# 8-bit and 4-bit variants of one trained model (docs/quantize.md): bf16 (the reference), LLM.int8
# and NF4 through bitsandbytes, GPTQ 4-bit through GPTQModel calibrated on training documents of the
# last mixing phase. Each is a Hugging Face directory that reloads with identical logits; memory and
# generation speed per variant -> results/quantize.md (evaluation: rules/evaluate.smk).


rule quantize:
    input:
        model=MODEL_VARIANTS[QUANT_SOURCE][1],
        calibration=lambda wildcards: QUANT_CALIBRATION if wildcards.variant == "gptq4" else [],
    output:
        model=directory(f"{MODELS}/{{variant}}"),
    params:
        source=input_dir("model"),
        quantize=lambda wildcards: quantize_section(wildcards.variant),
        # GPTQ calibrates on documents laid out as training stored them (tokenize.bos).
        bos=lambda wildcards: config["tokenize"]["bos"] if wildcards.variant == "gptq4" else None,
    wildcard_constraints:
        variant="|".join(QUANT_VARIANTS) or "none",
    log:
        f"{LOGS}/quantize/{{variant}}.log",
    benchmark:
        f"{BENCH}/quantize/{{variant}}.tsv"
    threads: rule_threads("quantize")
    resources:
        **rule_resources("quantize"),
    conda:
        "../envs/train.yaml"
    script:
        "../workflow_scripts/quantize.py"


rule quantize_measure:
    input:
        model=f"{MODELS}/{{variant}}",
    output:
        json=f"{WORK}/quantize/{{variant}}.json",
    params:
        quantize=quantize_measure_section(),
    wildcard_constraints:
        variant="|".join(QUANT_VARIANTS) or "none",
    log:
        f"{LOGS}/quantize/measure_{{variant}}.log",
    threads: rule_threads("quantize")
    resources:
        **rule_resources("quantize"),
    conda:
        "../envs/train.yaml"
    script:
        "../workflow_scripts/quantize_measure.py"


rule quantize_report:
    input:
        measures=[f"{WORK}/quantize/{variant}.json" for variant in QUANT_VARIANTS],
    output:
        markdown=report(f"{RESULTS}/quantize.md", caption="report/quantize.rst", category="Evaluation"),
        csv=f"{RESULTS}/quantize.csv",
    params:
        source=QUANT_SOURCE,
        config=canonical(config),
    log:
        f"{LOGS}/report/quantize.log",
    threads: rule_threads("report")
    resources:
        **rule_resources("report"),
    conda:
        "../envs/train.yaml"
    script:
        "../workflow_scripts/quantize_report.py"
