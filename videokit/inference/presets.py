"""Detection post-processing presets, chosen per run (``videokit predict --preset``).

- ``evaluation`` (the configs' own settings): many low-score segments kept after soft-NMS, what mAP wants
  (a missed segment costs recall; a low-score extra costs almost nothing) and what the published numbers
  use; on a long video that is hundreds of segments.
- ``deployment``: what a timeline in the operating room wants: a score threshold, at most a few segments
  per class, hard NMS so overlapping duplicates go, and a cap on the total.
"""
from __future__ import annotations

from typing import Dict

PRESETS: Dict[str, Dict] = {
    "evaluation": {},
    "deployment": dict(pre_nms_thresh=0.3, min_score=0.3, nms="hard", iou_threshold=0.3, max_per_class=5,
                       max_seg_num=50),
}


def apply_preset(detector, name: str) -> None:
    """Set ``detector``'s post-processing to the preset ``name`` (over its config's own settings)."""
    from mmaction.registry import MODELS

    if name not in PRESETS:
        raise ValueError(f"unknown post-processing preset {name!r} (presets: {sorted(PRESETS)})")
    cfg = dict(detector.test_cfg)
    cfg.setdefault("type", "SegmentPostProcessor")
    cfg.update(PRESETS[name])
    detector.head.postprocess = MODELS.build(cfg)
