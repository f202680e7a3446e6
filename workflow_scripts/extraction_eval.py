from xuanyuan.plant_eval import write_extraction_eval
from xuanyuan.runlog import logged_to

with logged_to(snakemake.log[0]):
    write_extraction_eval(
        raw_dir=snakemake.params.raw_dir,
        extracted_paths=list(snakemake.input.docs),
        config=dict(snakemake.params.config),
        markdown_path=snakemake.output.markdown,
    )
