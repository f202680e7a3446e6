# Two-stage instruction tuning (docs/sft.md) on the pretraining trainer: stage 1 on an open
# multilingual mix, stage 2 on the in-house set (general:finance 4:1 by category). Each stage:
# instruction files -> packed rows with answer-only labels (sft_data) -> training (sft_train).
# A stage with `files: null` uses the instruction set the pipeline generates itself.


rule sft_instructions:
    output:
        files=[f"{WORK}/sft/generated/{{set}}/{name}" for name in SFT_GENERATED_FILES],
        manifest=f"{WORK}/sft/generated/{{set}}/manifest.json",
    params:
        generated=canonical(SFT["generated"]),
    wildcard_constraints:
        set="open|inhouse",
    log:
        f"{LOGS}/sft/instructions_{{set}}.log",
    threads: rule_threads("tokenize")
    resources:
        **rule_resources("tokenize"),
    conda:
        "../envs/data.yaml"
    script:
        "../workflow_scripts/sft_instructions.py"


rule sft_data:
    input:
        files=sft_files,
        tokenizer=TOKENIZER_FILES,
    output:
        rows=[f"{WORK}/sft/{{stage}}/rows/{name}" for name in SFT_ROW_FILES],
        ledger=f"{WORK}/sft/{{stage}}/ledger.jsonl",
        stats=f"{WORK}/sft/{{stage}}/stats.json",
    params:
        sft=lambda wildcards: sft_data_config(wildcards.stage),
        seq_length=lambda wildcards: sft_section(wildcards.stage)["train"]["seq_length"],
        rows_dir=output_dir("rows"),
        tokenizer_dir=input_dir("tokenizer"),
    wildcard_constraints:
        stage="sft1|sft2",
    log:
        f"{LOGS}/sft/data_{{stage}}.log",
    threads: rule_threads("tokenize")
    resources:
        **rule_resources("tokenize"),
    conda:
        "../envs/data.yaml"
    script:
        "../workflow_scripts/sft_data.py"


rule sft_train:
    input:
        init=lambda wildcards: model_files(SFT_INIT[wildcards.stage]),
        rows=[f"{WORK}/sft/{{stage}}/rows/{name}" for name in SFT_ROW_FILES],
        tokenizer=TOKENIZER_FILES,
    output:
        model=model_files(f"{MODELS}/{{stage}}"),
        metrics=f"{METRICS}/{{stage}}.jsonl",
    params:
        train=lambda wildcards: training_config(wildcards.stage),
        rows_dir=input_dir("rows"),
        init_dir=lambda wildcards: SFT_INIT[wildcards.stage],
        out_dir=f"{MODELS}/{{stage}}",
        checkpoint_dir=f"{CHECKPOINTS}/{{stage}}",
        tensorboard_dir=f"{LOGS}/tensorboard/{{stage}}",
        tokenizer_dir=input_dir("tokenizer"),
    wildcard_constraints:
        stage="sft1|sft2",
    log:
        f"{LOGS}/sft/{{stage}}.log",
    benchmark:
        f"{BENCH}/sft/{{stage}}.tsv"
    threads: rule_threads("sft")
    resources:
        **rule_resources("sft"),
    retries: rule_retries("sft")
    conda:
        "../envs/train.yaml"
    script:
        "../workflow_scripts/sft_train.py"
