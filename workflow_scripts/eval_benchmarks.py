from xuanyuan.corpus.benchmarks import BenchmarkSettings, write_benchmarks
from xuanyuan.runlog import logged_to
from xuanyuan.shards import write_json

with logged_to(snakemake.log[0]) as log:
    manifest = write_benchmarks(snakemake.params.out_dir, BenchmarkSettings(**snakemake.params.generate))
    write_json(snakemake.output.manifest, manifest)
    log.info("generated benchmarks: %s", {name: sum(entry["subjects"].values()) for name, entry in manifest.items()})
