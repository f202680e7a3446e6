from xuanyuan.provenance import code_version, config_hash
from xuanyuan.runlog import logged_to
from xuanyuan.shards import read_json
from xuanyuan.tokenizer import METADATA_FILE, TokenizerSettings, compression_rows, write_report

with logged_to(snakemake.log[0]):
    out_dir = snakemake.params.out_dir
    write_report(
        snakemake.output.markdown,
        compression_rows(list(snakemake.input.docs), out_dir, settings=TokenizerSettings.from_config(snakemake.params.tokenizer)),
        read_json(f"{out_dir}/{METADATA_FILE}"),
        config_hash=config_hash(dict(snakemake.params.config)),
        code_version=code_version(),
        csv_path=snakemake.output.csv,
    )
