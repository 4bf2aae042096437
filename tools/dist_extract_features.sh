#!/usr/bin/env bash
# Feature extraction over torchrun, one shard of the videos per process:
#   bash tools/dist_extract_features.sh CONFIG CHECKPOINT NPROC --annotations SRC --video-root DIR --out DIR [...]
# Several machines sharing OUT: run it on each with NNODES=<machines> NODE_RANK=<0..NNODES-1>
# MASTER_ADDR=<node 0's address> (and the same PORT); ranks take every world_size-th video by id.
# On CPU the processes talk over gloo; on GPUs over NCCL (one process per GPU).
set -euo pipefail
CONFIG=$1
CHECKPOINT=$2
NPROC=$3
shift 3
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}
PORT=${PORT:-29500}
PYTHON=${PYTHON:-$(dirname "$0")/../.venv/bin/python}
[ -x "$PYTHON" ] || PYTHON=python
exec "$PYTHON" -m torch.distributed.run --nnodes="$NNODES" --node_rank="$NODE_RANK" --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$NPROC" --master_port="$PORT" \
    "$(dirname "$0")/extract_features.py" "$CONFIG" "$CHECKPOINT" --launcher pytorch "$@"
