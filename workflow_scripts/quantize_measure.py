import json

from xuanyuan.cluster.resources import gpus_of
from xuanyuan.quantize import measure_variant, quantize_settings, resolve_device
from xuanyuan.runlog import limit_threads, logged_to
from xuanyuan.vector_math import initialise_vector_math

with logged_to(snakemake.log[0]) as log:
    limit_threads(snakemake.threads)
    initialise_vector_math()
    settings = quantize_settings(dict(snakemake.params.quantize))
    device = resolve_device(settings.device, key="quantize.device", expected_gpus=gpus_of(snakemake.resources))
    row = measure_variant(snakemake.input.model, settings, device=device)
    row["variant"] = snakemake.wildcards.variant
    with open(snakemake.output.json, "w", encoding="utf-8") as out:
        json.dump(row, out, indent=1)
        out.write("\n")
    log.info("%s: %s", snakemake.wildcards.variant, {k: row[k] for k in ("weight_bytes", "peak_bytes")})
