#!/usr/bin/env bash
# Wheels that bench/device_check.sh installs on a lent GPU machine (Python 3.12, no network there).
# Run here, in the repo root, once per session that has a device: fills .whl/ (ignored by git).
# The GPU image already has torch, triton, accelerate, safetensors, tokenizers, sentencepiece,
# psutil, einops, msgpack, ninja and py-cpuinfo (/work/.library/device/KINDS.md).
set -euo pipefail
grep -qx '/.whl/' .git/info/exclude 2>/dev/null || echo '/.whl/' >> .git/info/exclude
rm -rf .whl && mkdir -p .whl
platforms=()
for p in manylinux_2_28_x86_64 manylinux_2_27_x86_64 manylinux_2_17_x86_64 manylinux2014_x86_64 manylinux1_x86_64; do
  platforms+=(--platform "$p")
done
download() {
  python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    "${platforms[@]}" -d .whl "$@"
}
# Versions as pinned here (pyproject / the dev venv): the trainer's code path, not the image's.
download transformers==5.24.0 liger-kernel==0.8.5 pydantic==2.14.4 pydantic-core==2.50.5 \
  annotated-types typing-inspection hjson zstandard==0.25.0 regex
# DeepSpeed publishes no wheel: build a pure-Python one (its CUDA ops JIT-compile on first use there).
python3 -c 'import wheel' 2>/dev/null || python3 -m pip install -q wheel  # setup.py bdist_wheel needs it
DS_BUILD_OPS=0 python3 -m pip wheel -q --no-deps --no-build-isolation -w .whl deepspeed==0.19.8
ls -la .whl && du -sh .whl
