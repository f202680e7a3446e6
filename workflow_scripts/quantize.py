from xuanyuan.quantize import quantize_settings, quantize_variant
from xuanyuan.runlog import limit_threads, logged_to
from xuanyuan.shards import read_records

with logged_to(snakemake.log[0]) as log:
    limit_threads(snakemake.threads)
    variant = snakemake.wildcards.variant
    texts = None
    if variant == "gptq4":
        # The last mixing phase's documents: text the model trained on (held-out documents are in no phase).
        texts = (record["text"] for path in snakemake.input.calibration for record in read_records(path))
    quantize_variant(variant, snakemake.params.source, snakemake.output.model,
                     quantize_settings(dict(snakemake.params.quantize)), calibration_texts=texts)
    log.info("%s written from %s", variant, snakemake.params.source)
