#!/usr/bin/env bash
# Multi-process testing over torchrun: bash tools/dist_train.sh CONFIG NUM_PROCESSES [test.py args...]
# On CPU the processes talk over gloo; on GPUs over NCCL (one process per GPU).
set -euo pipefail
CONFIG=$1
CHECKPOINT=$2
NPROC=$3
shift 3
PORT=${PORT:-29500}
# the repository's .venv when there is one (make setup), else the python on PATH; PYTHON=... overrides
PYTHON=${PYTHON:-$(dirname "$0")/../.venv/bin/python}
[ -x "$PYTHON" ] || PYTHON=python
exec "$PYTHON" -m torch.distributed.run --nproc_per_node="$NPROC" --master_port="$PORT" \
    "$(dirname "$0")/test.py" "$CONFIG" "$CHECKPOINT" --launcher pytorch "$@"
