from xuanyuan.runlog import limit_threads, logged_to
from xuanyuan.shards import read_records, write_json
from xuanyuan.tokdata import document_bos_id, tokenize_documents
from xuanyuan.tokdata.encoding import load_tokenizer

limit_threads(snakemake.threads)
with logged_to(snakemake.log[0]) as log:
    tokenizer = load_tokenizer(snakemake.params.tokenizer_dir)
    bos_id = document_bos_id(tokenizer, snakemake.params.bos)
    for phase, docs, prefix in zip(snakemake.params.phases, snakemake.input.docs, snakemake.params.prefixes):
        stats = tokenize_documents(
            read_records(docs),
            tokenizer,
            prefix,
            batch_docs=snakemake.params.batch_docs,
            eos_id=tokenizer.eos_token_id,
            bos_id=bos_id,
        )
        write_json(snakemake.output[f"{phase}_stats"], stats)
        log.info("%s: %d documents, %d tokens", docs, stats["docs"], stats["tokens"])
