# Continued pretraining (docs/pretrain.md): the base model (Llama-2, or a stand-in the default run
# pretrains on the corpus's English), stage 1 (embeddings + LM head, resized to the expanded
# vocabulary), stage 2 (all parameters); each a Hugging Face directory (perplexity: rules/perplexity.smk).
# Checkpoints live in work/checkpoints/, outside the outputs: a killed job resumes from them.

PRETRAIN = config["pretrain"]
BASE_IS_STANDIN = config["model"]["path"] is None
BASE_MODEL_DIR = f"{MODELS}/base" if BASE_IS_STANDIN else config["model"]["path"]
CHECKPOINTS = f"{WORK}/checkpoints"
METRICS = f"{WORK}/metrics"
PRETRAIN_STAGES = (["base_standin"] if BASE_IS_STANDIN else []) + ["stage1", "stage2"]
# Stage 1 ("little data") trains on the first mixing phase; stage 2 on all phases in order.
STAGE_PHASES = {"stage1": PHASES[:1], "stage2": PHASES}
MODEL_FILES = ["config.json", "model.safetensors", "xuanyuan_train.json"]


def model_files(directory):
    return [f"{directory}/{name}" for name in MODEL_FILES]


def base_model_inputs():
    """The stand-in's files, or a given base model's config.json when it is there (a dry run elsewhere still plans)."""
    if BASE_IS_STANDIN:
        return model_files(BASE_MODEL_DIR)
    return [f"{BASE_MODEL_DIR}/config.json"] if Path(f"{BASE_MODEL_DIR}/config.json").exists() else []


def training_config():
    """The config sections a training job reads (so unrelated edits do not retrain)."""
    return canonical({"model": config["model"], "pretrain": PRETRAIN})


if BASE_IS_STANDIN:

    rule base_tokenized:
        input:
            docs=stage_outputs("quality", ".jsonl.zst"),
            standin=f"{WORK}/tokenizer/standin",
        output:
            bin=f"{WORK}/tokenized/base_en.bin",
            idx=f"{WORK}/tokenized/base_en.idx",
            sidecar=f"{WORK}/tokenized/base_en.docs.jsonl.zst",
            stats=f"{WORK}/tokenized/base_en.stats.json",
            hf=directory(f"{WORK}/tokenizer/base_hf"),
        params:
            prefix=f"{WORK}/tokenized/base_en",
            heldout_fraction=config["tokenizer"]["heldout_fraction"],
            batch_docs=config["tokenize"]["batch_docs"],
        log:
            f"{LOGS}/pretrain/base_tokenized.log",
        threads: rule_threads("tokenize")
        resources:
            **rule_resources("tokenize"),
        conda:
            "../envs/train.yaml"
        script:
            "../workflow_scripts/base_tokenized.py"

    rule pretrain_base_standin:
        input:
            bin=f"{WORK}/tokenized/base_en.bin",
            idx=f"{WORK}/tokenized/base_en.idx",
            standin=f"{WORK}/tokenizer/standin",
            base_hf=f"{WORK}/tokenizer/base_hf",
        output:
            model=model_files(BASE_MODEL_DIR),
            metrics=f"{METRICS}/base_standin.jsonl",
        params:
            train=training_config(),
            prefix=f"{WORK}/tokenized/base_en",
            out_dir=BASE_MODEL_DIR,
            checkpoint_dir=f"{CHECKPOINTS}/base_standin",
            tensorboard_dir=f"{LOGS}/tensorboard/base_standin",
        log:
            f"{LOGS}/pretrain/base_standin.log",
        benchmark:
            f"{BENCH}/pretrain/base_standin.tsv"
        threads: rule_threads("pretrain")
        resources:
            **rule_resources("pretrain"),
        conda:
            "../envs/train.yaml"
        script:
            "../workflow_scripts/pretrain_base_standin.py"


rule pretrain_stage:
    input:
        init=lambda wildcards: base_model_inputs() if wildcards.stage == "stage1" else model_files(f"{MODELS}/stage1"),
        bins=lambda wildcards: [f"{WORK}/tokenized/{phase}.bin" for phase in STAGE_PHASES[wildcards.stage]],
        idxs=lambda wildcards: [f"{WORK}/tokenized/{phase}.idx" for phase in STAGE_PHASES[wildcards.stage]],
        tokenizer=TOKENIZER_FILES,
    output:
        model=model_files(f"{MODELS}/{{stage}}"),
        metrics=f"{METRICS}/{{stage}}.jsonl",
    params:
        train=training_config(),
        phases=lambda wildcards: STAGE_PHASES[wildcards.stage],
        prefixes=lambda wildcards: [f"{WORK}/tokenized/{phase}" for phase in STAGE_PHASES[wildcards.stage]],
        init_dir=lambda wildcards: BASE_MODEL_DIR if wildcards.stage == "stage1" else f"{MODELS}/stage1",
        out_dir=f"{MODELS}/{{stage}}",
        checkpoint_dir=f"{CHECKPOINTS}/{{stage}}",
        tensorboard_dir=f"{LOGS}/tensorboard/{{stage}}",
        tokenizer_dir=TOKENIZER_DIR,
    wildcard_constraints:
        stage="stage1|stage2",
    log:
        f"{LOGS}/pretrain/{{stage}}.log",
    benchmark:
        f"{BENCH}/pretrain/{{stage}}.tsv"
    threads: rule_threads("pretrain")
    resources:
        **rule_resources("pretrain"),
    conda:
        "../envs/train.yaml"
    script:
        "../workflow_scripts/pretrain_stage.py"


# Model variants by name -> (directory, files a job that reads it depends on). Later rule files add
# theirs (sft, quantize); rules/perplexity.smk and rules/evaluate.smk read the whole registry.
MODEL_VARIANTS = {
    "base": (BASE_MODEL_DIR, base_model_inputs()),
    "stage1": (f"{MODELS}/stage1", model_files(f"{MODELS}/stage1")),
    "stage2": (f"{MODELS}/stage2", model_files(f"{MODELS}/stage2")),
}


rule pretrain_report:
    input:
        metrics=[f"{METRICS}/{stage}.jsonl" for stage in PRETRAIN_STAGES],
        summaries=[f"{BASE_MODEL_DIR if stage == 'base_standin' else MODELS + '/' + stage}/xuanyuan_train.json" for stage in PRETRAIN_STAGES],
    output:
        markdown=report(f"{RESULTS}/pretrain.md", caption="report/pretrain.rst", category="Training"),
        csv=f"{RESULTS}/pretrain.csv",
        png=report(f"{RESULTS}/pretrain_loss.png", caption="report/pretrain.rst", category="Training"),
    params:
        stages=PRETRAIN_STAGES,
        config=canonical(config),
    log:
        f"{LOGS}/report/pretrain.log",
    threads: rule_threads("report")
    resources:
        **rule_resources("report"),
    conda:
        "../envs/train.yaml"
    script:
        "../workflow_scripts/pretrain_report.py"
