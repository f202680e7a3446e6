# xuanyuan: raw pages and PDFs -> cleaned, deduplicated, mixed corpus -> tokenizer -> trained,
# quantized and evaluated model. This file is the table of contents; logic lives in xuanyuan/.
from snakemake.utils import min_version

min_version("9.0")


# A --configfile replaces the default instead of being merged into it, so the full recipe
# never inherits the tiny default's sources.
if not workflow.overwrite_configfiles:

    configfile: "config/config.yaml"


include: "rules/common.smk"
include: "rules/resources.smk"
include: "rules/layout.smk"
include: "rules/corpus.smk"
include: "rules/extract.smk"
include: "rules/clean.smk"
include: "rules/dedup.smk"
include: "rules/quality.smk"
include: "rules/tokenizer.smk"
include: "rules/mix.smk"
include: "rules/tokenize.smk"
include: "rules/pretrain.smk"
include: "rules/sft.smk"
include: "rules/quantize.smk"
include: "rules/perplexity.smk"
include: "rules/generate.smk"
include: "rules/evaluate.smk"
include: "rules/report.smk"


rule all:
    input:
        final_targets(),
    default_target: True
