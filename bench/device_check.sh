#!/usr/bin/env bash
# Issue 5's GPU checks on a lent H200 (the `device` tool), in two calls on one warm machine:
#   bash bench/device_check.sh smoke   (~2.5 min) every CUDA code path on small sizes, so that a bug
#                                       found there can be fixed before the long call:
#     env: GPU, versions                                               -> $OUT/env.txt
#     bench/train_step.py, a small Llama: plain HF, HF + Liger, ours (fp32, bf16_autocast and bf16 ZeRO-1:
#       the BF16 optimizer with the copy-first accumulation)             -> $OUT/smoke_step.txt
#     packed attention on CUDA: torch_varlen / flash vs documents alone; Liger   -> $OUT/attention.txt
#   bash bench/device_check.sh full    (~9 min) the measurements, most important first:
#     bench/train_step.py slice70b: plain HF, HF + Liger (bf16; fp32 weights), ours in bf16 and in bf16_autocast
#       (micro-batch 1, 2, 4 each), profiles                             -> $OUT/slice70b.txt
#     bench/train_step.py llama1b3: the same rows at micro-batch 1, ours under ZeRO-1, 2 and 3 -> $OUT/llama1b3.txt
#     ZeRO-3 on CUDA: construction, streaming load, exact resume (pytest, one process) -> $OUT/zero3.txt
#     the trainer on CUDA at 16k tokens (pytest: bf16, DeepSpeed, torch_varlen)   -> $OUT/step16k.txt
#     bench/rope_kernel.py: Liger's RoPE over the fp32 table vs the unfused fp32 rotation -> $OUT/rope.txt
#     bench/activation_memory.py, bf16, 4k-16k                           -> $OUT/activations.txt
#     bench/packed_attention.py, 1B-class layers, 4k-32k tokens          -> $OUT/packed.txt
#   bash bench/device_check.sh all     both, in one call (more than the 8 files one call brings back)
# Prepare here first: bash bench/device_wheels.sh. Then call the device tool's run with
#   command "BUDGET=170 bash bench/device_check.sh smoke", carry [".whl"], timeout_s 200,
# and at once (the machine stays warm for 30 s) "BUDGET=540 bash bench/device_check.sh full", timeout_s 570;
# give the machine back after. Each step has its own time limit, so a hang costs only that step, and
# steps that no longer fit the BUDGET (seconds) are skipped and say so.
set -u
OUT=${OUT:-/tmp/device_out}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false
start=$(date +%s)
left() { echo $(( ${BUDGET:-540} - ($(date +%s) - start) )); }

what=${1:-all}
# A warm machine keeps /tmp/site from the call before: install only when the wheels changed.
wheels=$(ls .whl/*.whl | sort | md5sum)
if [ "$(cat /tmp/site/.wheels 2>/dev/null)" != "$wheels" ]; then
  rm -rf /tmp/site
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
    > "$OUT/env.txt" 2>&1 || { echo "wheel install failed"; cat "$OUT/env.txt"; exit 1; }
  echo "$wheels" > /tmp/site/.wheels
fi
export PYTHONPATH=/tmp/site:$PWD
[ "$what" = full ] || {
  nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv
  python3 -c "import torch, transformers, deepspeed, liger_kernel; print('torch', torch.__version__, 'cuda', torch.version.cuda, '| transformers', transformers.__version__, '| deepspeed', deepspeed.__version__)"
  python3 -c "from xuanyuan.train.model import resolve_attn_implementation as r; print('auto attention ->', r('auto'))"
  nproc
} >> "$OUT/env.txt" 2>&1
[ -f "$OUT/env.txt" ] && cat "$OUT/env.txt"

step() {  # step NAME SECONDS COMMAND...: run with a limit, keep the output, say how long it took
  local name=$1 limit=$2; shift 2
  # ONLY="slice70b step16k": a rerun of those steps alone (after a fix, on the time that is left).
  if [ -n "${ONLY:-}" ] && [[ " $ONLY " != *" $name "* ]]; then return; fi
  local budget; budget=$(left)
  if (( budget < 30 )); then echo "== $name: skipped, ${budget}s left" | tee "$OUT/$name.txt"; return; fi
  (( limit > budget )) && limit=$budget
  echo "== $name (limit ${limit}s)"
  local t0; t0=$(date +%s)
  timeout "$limit" "$@" > "$OUT/$name.txt" 2>&1
  local rc=$?
  echo "== $name: rc $rc in $(( $(date +%s) - t0 ))s" | tee -a "$OUT/$name.txt"
  tail -n 25 "$OUT/$name.txt"
}

if [ "$what" = smoke ] || [ "$what" = all ]; then
  step smoke_step 100 python3 bench/train_step.py --config cpu --liger --ours-precisions bf16_autocast,bf16 \
    --steps 2 --warmup 1 --profile 5
  step attention 90 python3 bench/gpu_attention_check.py
fi
if [ "$what" = full ] || [ "$what" = all ]; then
  step slice70b 330 python3 bench/train_step.py --config slice70b --liger --ours-micro-batches 2,4 \
    --ours-precisions bf16_autocast --steps 5 --warmup 2 --profile 15
  step llama1b3 150 python3 bench/train_step.py --config llama1b3 --liger --ours-zero-stages 2,3 --steps 5 --warmup 2
  step zero3 100 python3 -m pytest -x -q -p no:cacheprovider tests/train/test_zero3_resume.py tests/train/test_zero3_load.py
  step step16k 150 python3 -m pytest -x -q -p no:cacheprovider tests/train/test_context.py -k 16k
  step rope 40 python3 bench/rope_kernel.py
  step activations 60 python3 bench/activation_memory.py --hidden 2048 --layers 8 --heads 16 --kv-heads 16 --vocab 32000 \
    --dtype bf16 --lengths 4096,8192,16384
  step packed 90 python3 bench/packed_attention.py --hidden 2048 --layers 4 --heads 16 --kv-heads 16 --vocab 32000 \
    --dtype bf16 --lengths ${PACKED_LENGTHS:-4096,8192,16384,32768} --steps 5
fi
echo "total $(( $(date +%s) - start ))s"
