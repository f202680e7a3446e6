from xuanyuan.funnel import write_funnel
from xuanyuan.runlog import logged_to

with logged_to(snakemake.log[0]):
    stages = list(snakemake.params.stages)
    write_funnel(
        {stage: list(snakemake.input[stage]) for stage in stages},
        stages=stages,
        config=dict(snakemake.params.config),
        markdown_path=snakemake.output.markdown,
        csv_path=snakemake.output.csv,
        png_path=snakemake.output.png,
        heldout_paths=list(snakemake.input.heldout),
    )
