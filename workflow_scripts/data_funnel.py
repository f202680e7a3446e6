from xuanyuan.funnel import write_funnel
from xuanyuan.runlog import logged_to

with logged_to(snakemake.log[0]):
    write_funnel(
        {"extract": list(snakemake.input.extract), "clean": list(snakemake.input.clean)},
        stages=list(snakemake.params.stages),
        config=dict(snakemake.params.config),
        markdown_path=snakemake.output.markdown,
        csv_path=snakemake.output.csv,
        png_path=snakemake.output.png,
    )
