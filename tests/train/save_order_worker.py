"""One rank of tests/train/test_resume_launch.py's save-order check (torchrun, 2 gloo processes).

`python save_order_worker.py OUT`: a real ZeRO-2 engine saves one checkpoint through `checkpoint.save`, rank 1
finishing its part of DeepSpeed's save 2 s after rank 0 (a slow disk); rank 1 notes when it finished."""

import dataclasses
import sys
import time
from pathlib import Path

from xuanyuan.train import checkpoint
from xuanyuan.train.distributed import end_worker, init_distributed
from xuanyuan.train.model import build_standin
from xuanyuan.train.settings import StageSettings, tiny_cpu
from xuanyuan.train.trainer import build_engine

out = Path(sys.argv[1])
d = init_distributed()
model_settings, train = tiny_cpu()
stage = StageSettings(steps=3, lr=1e-3, warmup_steps=0, seq_length=16, micro_batch=2)
engine = build_engine(build_standin(model_settings, 320, seed=0), dataclasses.replace(train, zero_stage=2), stage, d)
deepspeed_save = engine.save_checkpoint


def slow_on_rank_one(*args, **kwargs):
    result = deepspeed_save(*args, **kwargs)
    if d.rank == 1:
        time.sleep(2)
        (out / "rank1_saved").write_text(repr(time.time()))
    return result


engine.save_checkpoint = slow_on_rank_one
checkpoint.save(engine, out / "ckpt", step=1, samples=4, settings={}, keep=2, is_main=d.is_main,
                world_size=d.world_size, global_batch=4)
end_worker(0)
