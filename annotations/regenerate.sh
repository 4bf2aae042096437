#!/usr/bin/env bash
# Regenerates every file in annotations/ from the authors' published files (see README.md here).
# Usage: bash annotations/regenerate.sh [REAL_ANNOTATIONS_DIR]   (default: ../shared/real_annotations)
set -euo pipefail
cd "$(dirname "$0")/.."
REAL=${1:-../shared/real_annotations}
VK=${VIDEOKIT:-videokit}
command -v "$VK" >/dev/null || VK=.venv/bin/videokit
for target in taxonomy splits canonical; do
  case $target in canonical) name=annotations.json ;; *) name=$target.csv ;; esac
  "$VK" convert "$REAL/nurvid" --from nurvid --to $target -o annotations/nurvid/$name
  "$VK" convert "$REAL/ophnet" --from ophnet --to $target -o annotations/ophnet/$name
done
