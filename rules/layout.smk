# Names, paths, config checks and helper functions of the stages from the quality filter to
# evaluation, in DAG order. The stage files (rules/quality.smk ... rules/evaluate.smk) hold only
# their rules: `snakemake --lint` wants functions kept apart from rules, and a stage's paths are
# shared with the stages after it (the model registry below is read by several of them).
from xuanyuan.quality.keywords import load_keywords

# Harmful-content filter (rules/quality.smk).
QUALITY = config["quality"]
QUALITY_MODEL = f"{WORK}/quality_model"
HARMFUL_KEYWORDS = canonical(load_keywords(QUALITY["keywords"], QUALITY["categories"]))

# Vocabulary expansion (rules/tokenizer.smk).
MODELS = config["paths"]["models"]
TOKENIZER_DIR = f"{MODELS}/tokenizer"
BASE_TOKENIZER = config["tokenizer"]["base_model"]
TOKENIZER_FILES = [
    f"{TOKENIZER_DIR}/{name}"
    for name in ["tokenizer.model", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "xuanyuan_tokenizer.json"]
]

# Phased mixing (rules/mix.smk).
MIX = config["mix"]
PHASES = [phase["name"] for phase in MIX["phases"]]
# Budgets in tokens (counted with the expanded tokenizer) or in characters; the schema allows one per phase.
MIX_UNIT = "tokens" if "tokens" in MIX["phases"][0] else "chars"
MIX_TOKENIZER = TOKENIZER_FILES if MIX_UNIT == "tokens" else []


def mix_outputs(suffix, phases=PHASES):
    """Per-shard mixed files of the given phases, e.g. all stats files of the mix stage."""
    return [f"{WORK}/mix/{phase}/{source}/{shard}{suffix}" for phase in phases for source in SOURCES for shard in shards_of(source)]


# Pre-tokenized training data (rules/tokenize.smk).
def tokenized_parts(phase, suffix):
    return [f"{WORK}/tokenized/{phase}/parts/{source}/{shard}{suffix}" for source in SOURCES for shard in shards_of(source)]


def tokenized_phases(suffix):
    """The merged per-phase files, e.g. every phase's .bin."""
    return [f"{WORK}/tokenized/{phase}{suffix}" for phase in PHASES]


# Continued pretraining (rules/pretrain.smk).
PRETRAIN = config["pretrain"]
BASE_IS_STANDIN = config["model"]["path"] is None
BASE_MODEL_DIR = f"{MODELS}/base" if BASE_IS_STANDIN else config["model"]["path"]
CHECKPOINTS = f"{WORK}/checkpoints"
METRICS = f"{WORK}/metrics"
PRETRAIN_STAGES = (["base_standin"] if BASE_IS_STANDIN else []) + ["stage1", "stage2"]
# The directory each pretraining stage writes its model to (the stand-in is the base model).
PRETRAIN_MODEL_DIRS = {stage: BASE_MODEL_DIR if stage == "base_standin" else f"{MODELS}/{stage}" for stage in PRETRAIN_STAGES}
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


# Instruction tuning (rules/sft.smk) and answers to sample questions (rules/generate.smk).
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


# Trained model variants by name -> (directory, files a job that reads it depends on).
TRAINED_VARIANTS = {
    "base": (BASE_MODEL_DIR, base_model_inputs()),
    **{stage: (f"{MODELS}/{stage}", model_files(f"{MODELS}/{stage}")) for stage in ("stage1", "stage2", "sft1", "sft2")},
}

# Quantized variants (rules/quantize.smk), all of one trained model.
QUANTIZE = config["quantize"]
QUANT_SOURCE = QUANTIZE["source"]
QUANT_VARIANTS = list(QUANTIZE["variants"])
QUANT_CALIBRATION = mix_outputs(".jsonl.zst", PHASES[-1:])

if QUANT_SOURCE not in TRAINED_VARIANTS:
    _stop_on_bad_config([f"quantize.source: {QUANT_SOURCE!r} is not a model variant; use one of {', '.join(TRAINED_VARIANTS)}"])


def quantize_section():
    """The settings xuanyuan.quantize reads (the variant list and the source are the rules' business)."""
    return canonical({key: value for key, value in QUANTIZE.items() if key not in ("source", "perplexity_goals")})


# Every model variant, trained then quantized (a quantized one is a directory output): what
# rules/perplexity.smk, generate.smk and evaluate.smk can read, and the variants they run over.
MODEL_VARIANTS = {
    **TRAINED_VARIANTS,
    **{variant: (f"{MODELS}/{variant}", [f"{MODELS}/{variant}"]) for variant in QUANT_VARIANTS},
}


# Held-out perplexity (rules/perplexity.smk).
def quantized_perplexity_goals():
    """{quantized variant: [its reference, allowed relative rise]}: the bf16 copy when made, else the source."""
    reference = "bf16" if "bf16" in QUANT_VARIANTS else QUANT_SOURCE
    goals = QUANTIZE["perplexity_goals"]
    return {variant: [reference, goals[variant]] for variant in QUANT_VARIANTS if variant in goals and variant != reference}


# Benchmarks (rules/evaluate.smk).
EVALUATE = config["evaluate"]
EVAL_GENERATED_DIR = f"{WORK}/eval/benchmarks"
EVAL_LOCAL = EVALUATE["data_mode"] == "local"
EVAL_GENERATED = [name for name in EVALUATE["benchmarks"] if EVAL_LOCAL and name not in EVALUATE["data_dirs"]]
EVAL_SUITES = list(EVALUATE["benchmarks"]) + list(EVALUATE["extra"])
EVAL_VARIANTS = EVALUATE["variants"] or list(MODEL_VARIANTS)
EVAL_RECORDS = [f"{name}.{shots}shot.json" for name in EVAL_SUITES for shots in EVALUATE["shots"]]

_unknown_variants = [v for v in EVAL_VARIANTS + list(GENERATE["variants"]) if v not in MODEL_VARIANTS]
if _unknown_variants:
    _stop_on_bad_config([
        f"evaluate.variants / generate.variants: unknown model variant(s) {', '.join(_unknown_variants)}; "
        f"this run makes {', '.join(MODEL_VARIANTS)}"
    ])


def eval_section():
    """The `evaluate` section with generated folders filled in where the config names none."""
    section = {key: value for key, value in EVALUATE.items() if key != "variants"}
    section["data_dirs"] = {**{name: f"{EVAL_GENERATED_DIR}/{name}" for name in EVAL_GENERATED}, **EVALUATE["data_dirs"]}
    return canonical(section)
