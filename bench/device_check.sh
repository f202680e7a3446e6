#!/usr/bin/env bash
# Issue 5's GPU checks in one run on a lent H200 (the `device` tool), about 8-9 minutes:
#   1. env: GPU, versions                                            -> $OUT/env.txt
#   2. packed attention on CUDA: torch_varlen / flash vs documents alone; Liger  -> $OUT/attention.txt
#   2b. bench/rope_kernel.py: Liger's RoPE over the fp32 table vs the unfused fp32 rotation -> $OUT/rope.txt
#   3. the trainer on CUDA at 16k tokens (pytest: bf16, DeepSpeed, torch_varlen) -> $OUT/step16k.txt
#   4. bench/packed_attention.py, 1B-class layers, 4k-32k tokens     -> $OUT/packed.txt
#   5. bench/train_step.py slice70b: plain HF, HF + Liger, ours (micro-batch 1, 2) -> $OUT/slice70b.txt
#   6. bench/train_step.py llama1b3 (if time is left)                -> $OUT/llama1b3.txt
#   7. bench/activation_memory.py, bf16, 4k-16k (if time is left)     -> $OUT/activations.txt
# Prepare here first: bash bench/device_wheels.sh. Then call the device tool's run with
#   command "bash bench/device_check.sh", carry [".whl"], timeout_s 570
# and give the machine back. Each step has its own time limit, so a hang costs only that step.
set -u
OUT=${OUT:-/tmp/device_out}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false
start=$(date +%s)
left() { echo $(( ${BUDGET:-540} - ($(date +%s) - start) )); }

python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
  > "$OUT/env.txt" 2>&1 || { echo "wheel install failed"; cat "$OUT/env.txt"; exit 1; }
export PYTHONPATH=/tmp/site:$PWD
{
  nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv
  python3 -c "import torch, transformers, deepspeed, liger_kernel; print('torch', torch.__version__, 'cuda', torch.version.cuda, '| transformers', transformers.__version__, '| deepspeed', deepspeed.__version__)"
  python3 -c "from xuanyuan.train.model import resolve_attn_implementation as r; print('auto attention ->', r('auto'))"
  nproc
} >> "$OUT/env.txt" 2>&1
cat "$OUT/env.txt"

step() {  # step NAME SECONDS COMMAND...: run with a limit, keep the output, say how long it took
  local name=$1 limit=$2; shift 2
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

step attention 90 python3 bench/gpu_attention_check.py
step rope 40 python3 bench/rope_kernel.py
step step16k 150 python3 -m pytest -x -q -p no:cacheprovider tests/train/test_context.py -k 16k
step packed 90 python3 bench/packed_attention.py --hidden 2048 --layers 4 --heads 16 --kv-heads 16 --vocab 32000 \
  --dtype bf16 --lengths 4096,8192,16384,32768 --steps 5
step slice70b 200 python3 bench/train_step.py --config slice70b --liger --ours-micro-batches 2 --steps 5 --warmup 2
step llama1b3 120 python3 bench/train_step.py --config llama1b3 --liger --steps 5 --warmup 2
step activations 60 python3 bench/activation_memory.py --hidden 2048 --layers 8 --heads 16 --kv-heads 16 --vocab 32000 \
  --dtype bf16 --lengths 4096,8192,16384
echo "total $(( $(date +%s) - start ))s"
