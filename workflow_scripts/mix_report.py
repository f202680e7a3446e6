from xuanyuan.mix import read_plan, write_mix_report
from xuanyuan.provenance import code_version, config_hash
from xuanyuan.runlog import logged_to

with logged_to(snakemake.log[0]):
    chash, version = config_hash(dict(snakemake.params.config)), code_version()
    write_mix_report(
        read_plan(snakemake.input.plan, snakemake.input.arrays),
        {phase: list(paths) for phase, paths in snakemake.params.stats_by_phase.items()},
        snakemake.output.markdown,
        snakemake.output.csv,
        stamp=f"config `{chash}` · code `{version}`",
        chash=chash,
        version=version,
        token_stats_by_phase=dict(snakemake.params.token_stats_by_phase),
        heldout_paths=list(snakemake.input.heldout),
    )
