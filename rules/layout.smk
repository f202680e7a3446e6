# Names, paths, config checks and helper functions of the stages from the quality filter to
# evaluation, in DAG order. The stage files (rules/quality.smk ... rules/evaluate.smk) hold only
# their rules: `snakemake --lint` wants functions kept apart from rules, and a stage's paths are
# shared with the stages after it (the model registry below is read by several of them).
from xuanyuan.chat import read_questions
from xuanyuan.config import TRAINED_VARIANTS as TRAINED_VARIANT_NAMES
from xuanyuan.evaluate.changes import reference_variants
from xuanyuan.quality.keywords import load_keywords
from xuanyuan.train.job import SFT_STAGE_KEYS, training_subset

# Harmful-content filter (rules/quality.smk).
QUALITY = config["quality"]
QUALITY_MODEL = f"{WORK}/quality_model"
# Readable: xuanyuan.config.check_semantics (rules/common.smk) checked quality.keywords, as it checked
# quantize.source, evaluate.variants and generate.variants against the variants below.
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


def training_config(stage):
    """What a training job's weights depend on: the `model` section, the engine keys that change the
    weights and the stage's own schedule (xuanyuan.train.job.training_subset). Logging, checkpoint
    cadence, other stages and the perplexity settings are left out, so editing them retrains nothing;
    the job's script lays this param over the config (job_config) so it trains with exactly these values."""
    return canonical(training_subset(config, stage))


# Instruction tuning (rules/sft.smk) and answers to sample questions (rules/generate.smk).
SFT = config["sft"]
SFT_INIT = {"sft1": f"{MODELS}/stage2", "sft2": f"{MODELS}/sft1"}
SFT_GENERATED_SET = {"sft1": "open", "sft2": "inhouse"}
SFT_GENERATED_FILES = ["instructions_alpaca.json", "instructions_sharegpt.jsonl", "instructions_qa.jsonl"]
SFT_ROW_FILES = ["input_ids.npy", "labels.npy", "position_ids.npy", "rows.json"]
GENERATE = config["generate"]
# generate.questions, when set, is an input file. The shipped default belongs to the checkout like the
# code: the rule carries its questions as a param instead of its path, so the same run driven from
# another or a moved checkout plans no rerun (an absolute path would differ: "set of input files has
# changed"), while an edit to the shipped questions still reruns generate.
QUESTIONS = [GENERATE["questions"]] if GENERATE["questions"] else []
SHIPPED_QUESTIONS = [] if GENERATE["questions"] else read_questions(Path(workflow.basedir) / "config" / "prompts" / "sample_questions.jsonl")


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


def sft_data_config(stage):
    """What a stage's packed rows depend on: the shared ingest settings and the stage's own data section
    (not its `train` schedule, whose seq_length is a param of its own, and not the other stage)."""
    key = SFT_STAGE_KEYS[stage]
    shared = {name: SFT[name] for name in ("max_length", "overflow", "system", "seed")}
    return canonical({**shared, key: {name: value for name, value in SFT[key].items() if name != "train"}})


# Trained model variants by name (xuanyuan.config.TRAINED_VARIANTS, which check-config checks names
# against) -> (directory, files a job that reads it depends on).
TRAINED_VARIANTS = {
    name: (BASE_MODEL_DIR, base_model_inputs()) if name == "base" else (f"{MODELS}/{name}", model_files(f"{MODELS}/{name}"))
    for name in TRAINED_VARIANT_NAMES
}

# Quantized variants (rules/quantize.smk), all of one trained model.
QUANTIZE = config["quantize"]
QUANT_SOURCE = QUANTIZE["source"]
QUANT_VARIANTS = list(QUANTIZE["variants"])
QUANT_CALIBRATION = mix_outputs(".jsonl.zst", PHASES[-1:])


# The `quantize` section each variant's backend reads (bf16 needs none of them).
QUANT_VARIANT_SECTION = {"int8": "int8", "nf4": "nf4", "gptq4": "gptq"}


def quantize_section(variant):
    """What quantizing `variant` depends on: the device and the variant's own section, so editing another
    variant, the variant list or the speed measurement re-quantizes nothing."""
    section = QUANT_VARIANT_SECTION.get(variant)
    return canonical({"device": QUANTIZE["device"], **({section: QUANTIZE[section]} if section else {})})


def quantize_measure_section():
    """What measuring a variant depends on: the device and the `speed` settings."""
    return canonical({"device": QUANTIZE["device"], "speed": QUANTIZE["speed"]})


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
# Each evaluated variant -> the one it is compared with question by question (xuanyuan.evaluate.changes).
EVAL_REFERENCES = reference_variants(EVAL_VARIANTS, TRAINED_VARIANT_NAMES, QUANT_VARIANTS, QUANT_SOURCE)
EVAL_RECORDS = [f"{name}.{shots}shot.json" for name in EVAL_SUITES for shots in EVALUATE["shots"]]


def eval_section():
    """The `evaluate` section with generated folders filled in where the config names none (and without
    `generate` when nothing is generated: xuanyuan.evaluate.settings.eval_params)."""
    from xuanyuan.evaluate.settings import eval_params

    return canonical(eval_params(EVALUATE, {name: f"{EVAL_GENERATED_DIR}/{name}" for name in EVAL_GENERATED}))
