# Two-stage instruction tuning (docs/sft.md) on the pretraining trainer: stage 1 on an open
# multilingual mix, stage 2 on the in-house set (general:finance 4:1 by category). Each stage:
# instruction files -> packed rows with answer-only labels (sft_data) -> training (sft_train).
# A stage with `files: null` uses the instruction set the pipeline generates itself.

SFT = config["sft"]
SFT_STAGE_KEYS = {"sft1": "stage1", "sft2": "stage2"}
SFT_INIT = {"sft1": f"{MODELS}/stage2", "sft2": f"{MODELS}/sft1"}
SFT_GENERATED_SET = {"sft1": "open", "sft2": "inhouse"}
SFT_GENERATED_FILES = ["instructions_alpaca.json", "instructions_sharegpt.jsonl", "instructions_qa.jsonl"]
SFT_ROW_FILES = ["input_ids.npy", "labels.npy", "position_ids.npy", "rows.json"]
GENERATE = config["generate"]
QUESTIONS = GENERATE["questions"] or str(Path(workflow.basedir) / "config" / "prompts" / "sample_questions.jsonl")


def sft_section(stage):
    return SFT[SFT_STAGE_KEYS[stage]]


def sft_files(wildcards):
    """The stage's instruction files: from config, or the generated set."""
    files = sft_section(wildcards.stage)["files"]
    if files is None:
        return [f"{WORK}/sft/generated/{SFT_GENERATED_SET[wildcards.stage]}/{name}" for name in SFT_GENERATED_FILES]
    # Files not (yet) on this machine are left out of the DAG so a dry run elsewhere still plans;
    # the job itself stops on a missing file, naming it.
    return [entry["path"] for entry in files if Path(entry["path"]).exists()]


def sft_training_config(stage):
    """The config a training job reads: the engine (model, pretrain) and this stage's schedule only."""
    key = SFT_STAGE_KEYS[stage]
    return canonical({"model": config["model"], "pretrain": PRETRAIN, "sft": {key: {"train": SFT[key]["train"]}}})


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
        sft=canonical(SFT),
        seq_length=lambda wildcards: sft_section(wildcards.stage)["train"]["seq_length"],
        rows_dir=f"{WORK}/sft/{{stage}}/rows",
        tokenizer_dir=TOKENIZER_DIR,
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
        train=lambda wildcards: sft_training_config(wildcards.stage),
        rows_dir=f"{WORK}/sft/{{stage}}/rows",
        init_dir=lambda wildcards: SFT_INIT[wildcards.stage],
        out_dir=f"{MODELS}/{{stage}}",
        checkpoint_dir=f"{CHECKPOINTS}/{{stage}}",
        tensorboard_dir=f"{LOGS}/tensorboard/{{stage}}",
        tokenizer_dir=TOKENIZER_DIR,
    wildcard_constraints:
        stage="sft1|sft2",
    log:
        f"{LOGS}/sft/{{stage}}.log",
    benchmark:
        f"{BENCH}/sft/{{stage}}.tsv"
    threads: rule_threads("sft")
    resources:
        **rule_resources("sft"),
    conda:
        "../envs/train.yaml"
    script:
        "../workflow_scripts/sft_train.py"


MODEL_VARIANTS.update({stage: (f"{MODELS}/{stage}", model_files(f"{MODELS}/{stage}")) for stage in ("sft1", "sft2")})
