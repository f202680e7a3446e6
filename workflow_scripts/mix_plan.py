from xuanyuan.mix import make_plan, write_plan
from xuanyuan.runlog import logged_to

with logged_to(snakemake.log[0]) as log:
    mix = snakemake.params.mix
    plan = make_plan(
        list(snakemake.input.histograms),
        phases=[dict(phase) for phase in mix["phases"]],
        max_epochs=mix["max_epochs"],
        source_weights=dict(mix["source_weights"]),
        seed=mix["seed"],
        bits=mix["hash_buckets_log2"],
    )
    write_plan(plan, snakemake.output.plan, snakemake.output.arrays)
    log.info("mixing plan written; epochs per cell: %s", plan.total_epochs())
