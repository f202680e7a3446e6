from xuanyuan.cluster.resources import gpus_of
from xuanyuan.quantize import quantize_settings, quantize_variant, resolve_device
from xuanyuan.runlog import limit_threads, logged_to
from xuanyuan.shards import read_records
from xuanyuan.vector_math import initialise_vector_math

with logged_to(snakemake.log[0]) as log:
    limit_threads(snakemake.threads)
    initialise_vector_math()
    variant = snakemake.wildcards.variant
    settings = quantize_settings(dict(snakemake.params.quantize))
    device = resolve_device(settings.device, key="quantize.device", expected_gpus=gpus_of(snakemake.resources))
    texts = None
    if variant == "gptq4":
        # The last mixing phase's documents: text the model trained on (held-out documents are in no phase).
        texts = (record["text"] for path in snakemake.input.calibration for record in read_records(path))
    quantize_variant(variant, snakemake.params.source, snakemake.output.model, settings, calibration_texts=texts,
                     device=device, bos=bool(snakemake.params.bos))
    log.info("%s written from %s on %s", variant, snakemake.params.source, device)
