# Continued pretraining (docs/pretrain.md): the base model (Llama-2, or a stand-in the default run
# pretrains on the English of the corpus), stage 1 (embeddings and LM head, resized to the expanded
# vocabulary), stage 2 (all parameters); each a Hugging Face directory (perplexity: rules/perplexity.smk).
# Checkpoints live in work/checkpoints/, outside the outputs: a killed job resumes from them.
# The training rules read the held-out documents of the quality shards for pretrain.validation: the
# training data's own source, so they change only when the data does; which and how many documents
# are run settings, not params (xuanyuan.train.validation).

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
            prefix=output_prefix("bin"),
            heldout_fraction=config["tokenizer"]["heldout_fraction"],
            batch_docs=config["tokenize"]["batch_docs"],
            bos=config["tokenize"]["bos"],
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
            heldout=stage_outputs("quality", ".jsonl.zst"),
        output:
            model=model_files(BASE_MODEL_DIR),
            metrics=f"{METRICS}/base_standin.jsonl",
        params:
            train=training_config("base_standin"),
            prefix=input_prefix("bin"),
            out_dir=output_dir("model"),
            checkpoint_dir=f"{CHECKPOINTS}/base_standin",
            tensorboard_dir=f"{LOGS}/tensorboard/base_standin",
        log:
            f"{LOGS}/pretrain/base_standin.log",
        benchmark:
            f"{BENCH}/pretrain/base_standin.tsv"
        threads: rule_threads("pretrain")
        resources:
            **rule_resources("pretrain"),
        retries: rule_retries("pretrain")
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
        heldout=stage_outputs("quality", ".jsonl.zst"),
    output:
        model=model_files(f"{MODELS}/{{stage}}"),
        metrics=f"{METRICS}/{{stage}}.jsonl",
    params:
        train=lambda wildcards: training_config(wildcards.stage),
        phases=lambda wildcards: STAGE_PHASES[wildcards.stage],
        prefixes=lambda wildcards: [f"{WORK}/tokenized/{phase}" for phase in STAGE_PHASES[wildcards.stage]],
        init_dir=lambda wildcards: BASE_MODEL_DIR if wildcards.stage == "stage1" else f"{MODELS}/stage1",
        out_dir=f"{MODELS}/{{stage}}",
        checkpoint_dir=f"{CHECKPOINTS}/{{stage}}",
        tensorboard_dir=f"{LOGS}/tensorboard/{{stage}}",
        tokenizer_dir=input_dir("tokenizer"),
    wildcard_constraints:
        stage="stage1|stage2",
    log:
        f"{LOGS}/pretrain/{{stage}}.log",
    benchmark:
        f"{BENCH}/pretrain/{{stage}}.tsv"
    threads: rule_threads("pretrain")
    resources:
        **rule_resources("pretrain"),
    retries: rule_retries("pretrain")
    conda:
        "../envs/train.yaml"
    script:
        "../workflow_scripts/pretrain_stage.py"


rule pretrain_report:
    input:
        metrics=[f"{METRICS}/{stage}.jsonl" for stage in PRETRAIN_STAGES],
        summaries=[f"{directory}/xuanyuan_train.json" for directory in PRETRAIN_MODEL_DIRS.values()],
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
