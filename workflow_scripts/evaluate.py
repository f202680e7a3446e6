from pathlib import Path

from xuanyuan.cluster.resources import gpus_of
from xuanyuan.evaluate.variant import evaluate_variant
from xuanyuan.runlog import limit_threads, logged_to
from xuanyuan.vector_math import initialise_vector_math

with logged_to(snakemake.log[0]) as log:
    limit_threads(snakemake.threads)
    initialise_vector_math()
    memory = evaluate_variant(
        snakemake.wildcards.variant, snakemake.params.model_dir, dict(snakemake.params.evaluate),
        [str(Path(path).parent) for path in snakemake.input.suites], snakemake.params.out_dir,
        memory_path=snakemake.output.memory, threads=snakemake.threads, expected_gpus=gpus_of(snakemake.resources),
    )
    log.info("%s evaluated; memory %s", snakemake.wildcards.variant, memory)
