#!/usr/bin/env bash
# The GPU checks of the paper-scale work, in one run, for a machine with CUDA and Python (torch,
# transformers, peft, pyarrow) but no Node: the trainer's own loop on a 1B-shaped Llama (MFU of
# full fine-tuning and LoRA), the torch scorer on a 7B-shaped one (seconds per point against the
# FLOP floor), and the Python tests on that machine. Each benchmark's last line is one JSON
# object; the summary at the end repeats them.
#
#   bash scripts/gpu-checks.sh [OUT_DIR]     (default $OUT, else /tmp/gpu-checks)
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:-${OUT:-/tmp/gpu-checks}}
py=${PYTHON:-python3}
mkdir -p "$out"
export PYTHONUNBUFFERED=1 PYTHONPATH="trainer:scorer${PYTHONPATH:+:$PYTHONPATH}"

check() {
  local name=$1
  shift
  echo "== $name: $*"
  timeout "${CHECK_TIMEOUT_S:-240}" "$@" 2>&1 | tee "$out/$name.log"
  echo "== $name: exit ${PIPESTATUS[0]}"
}

"$py" -c 'import torch; print("torch", torch.__version__, "on", torch.cuda.get_device_name() if torch.cuda.is_available() else "no CUDA device")'
check train-full "$py" trainer/bench_train.py --device cuda --size 1b --method full
check train-lora "$py" trainer/bench_train.py --device cuda --size 1b --method lora
check score-7b "$py" -m labor_scorer.bench --device cuda --shape 7b --contexts 8
check python-tests "$py" -m pytest -q -x trainer/tests scorer/tests -p no:cacheprovider

echo "== summary"
for name in train-full train-lora score-7b; do echo "$name: $(tail -n 1 "$out/$name.log")"; done
