from xuanyuan.evaluate import benchmark_specs, build_suite, eval_settings
from xuanyuan.runlog import logged_to

with logged_to(snakemake.log[0]) as log:
    specs = {spec.name: spec for spec in benchmark_specs(eval_settings(dict(snakemake.params.evaluate)))}
    suite = build_suite(specs[snakemake.wildcards.benchmark], snakemake.params.work_dir)
    log.info("%s: %d subjects (%s mode)", snakemake.wildcards.benchmark, len(suite.subjects), suite.mode)
