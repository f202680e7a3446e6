from xuanyuan.cluster.resources import gpus_of
from xuanyuan.quantize.placement import resolve_device
from xuanyuan.runlog import limit_threads, logged_to
from xuanyuan.shards import read_records, write_json
from xuanyuan.train.perplexity import heldout_sets, model_perplexity
from xuanyuan.vector_math import initialise_vector_math

limit_threads(snakemake.threads)
initialise_vector_math()
with logged_to(snakemake.log[0]) as log:
    settings = snakemake.params.perplexity
    sets = heldout_sets(
        (record for path in snakemake.input.docs for record in read_records(path)),
        heldout_fraction=snakemake.params.heldout_fraction,
        max_docs=settings["max_docs"],
    )
    placement = resolve_device(snakemake.params.device, key="evaluate.device",
                               expected_gpus=gpus_of(snakemake.resources))
    if snakemake.params.quantized or placement.kind != "cpu":
        # Quantized layers (and the bf16 reference) load in their own dtype and kernels; on GPUs every
        # variant loads this way, spread over the job's GPUs (a 70B model does not fit one).
        from xuanyuan.quantize import quantized_perplexity

        result = quantized_perplexity(snakemake.params.model_dir, sets, window=settings["window"],
                                      batch_size=settings["batch_size"], device=placement, bos=snakemake.params.bos)
    else:
        # CPU: fp32, as the stages were trained and exported.
        result = model_perplexity(snakemake.params.model_dir, sets, window=settings["window"],
                                  batch_size=settings["batch_size"], bos=snakemake.params.bos)
    write_json(snakemake.output.json, result)
    log.info("%s: %s", snakemake.wildcards.variant, {name: round(r["ppl_char"], 4) for name, r in result.items()})
