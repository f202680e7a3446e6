"""Known natural duplicates of ../shared/data/pretrain_corpus (see its README); skips elsewhere."""

import json

from tests.dedup.helpers import PARAMS, run_stage
from xuanyuan.dedup import compute_signatures
from xuanyuan.dedup.clusters import large_clusters, read_dropped
from xuanyuan.shards import write_records

FILES = ("en_fin_news_reuters21578", "zh_thucnews_cnews")


def test_reposted_pairs_are_found(shared_data, tmp_path):
    prefixes = []
    for name in FILES:
        with open(shared_data / "pretrain_corpus" / f"{name}.jsonl", encoding="utf-8") as handle:
            records = [json.loads(line) for line in handle if line.strip()]
        shard = tmp_path / f"{name}.jsonl.zst"
        write_records(shard, [{"id": r["id"], "text": r["text"], "source": name, "lang": r["lang"],
                               "domain": r["domain"], "kind": "news", "meta": {}} for r in records])
        compute_signatures(shard, tmp_path / "sig" / name, **PARAMS)
        prefixes.append(str(tmp_path / "sig" / name))
    dropped, summary = run_stage(tmp_path, prefixes, stage="dedup_local", group_key="source", max_cluster_size=50)
    got = read_dropped([dropped])
    pair = {"reuters-7629", "reuters-7645"}
    assert len(pair & set(got)) == 1 and got[(pair & set(got)).pop()]["kept_twin"] in pair
    canon = {"cnews-val-0200", "cnews-val-0468", "cnews-val-0688", "cnews-val-0955"}
    assert len(canon & set(got)) >= 2
    # The "Blah blah blah." BRIEF placeholders are one exact-hash cluster, flagged as large.
    flagged, _ = large_clusters(summary, 50)
    assert any(c["rule"] == "exact_duplicate" and c["size"] > 50 for c in flagged)
