"""The detector's registered parts one by one: shapes, masks (padding never changes valid outputs),
Trident boundary decoding by hand, vectorised soft-NMS and hard NMS against one-at-a-time loops."""
from __future__ import annotations

import pytest
import torch
from mmaction.registry import MODELS

from videokit.models.detection import DenseTemporalDetector, expected_offset, hard_nms, soft_nms
from videokit.register import register_all_modules

register_all_modules()
COMPOSITIONS = {
    "conv": dict(),
    "actionformer": dict(neck=dict(type="LocalAttentionPyramid", num_heads=2, window_size=5)),
    "tridet": dict(neck=dict(type="SGPPyramid", kernel_size=3), head=dict(type="TridentHead", num_bins=4)),
}


def build(name: str, **extra) -> DenseTemporalDetector:
    torch.manual_seed(0)
    return DenseTemporalDetector(in_channels=6, num_classes=3, embed_dims=16, num_levels=3, **COMPOSITIONS[name],
                                 **extra).eval()


@pytest.mark.parametrize("name", COMPOSITIONS)
def test_pyramid_shapes(name):
    model = build(name)
    levels = model([torch.randn(6, 20), torch.randn(6, 13)])
    assert [lv[0].shape for lv in levels] == [(2, 3, 20), (2, 3, 10), (2, 3, 5)]  # 20 = padded to a multiple of 4
    assert [lv[1].shape for lv in levels] == [(2, 2, 20), (2, 2, 10), (2, 2, 5)]
    assert [lv[3] for lv in levels] == [1, 2, 4]
    assert levels[0][2][1].sum() == 13 and (levels[1][1] >= 0).all()


@pytest.mark.parametrize("name", COMPOSITIONS)
def test_padding_never_changes_valid_outputs(name):
    """A sequence alone, batched beside a longer one, and with garbage written into its padding: the same
    logits and distances at every valid position of every level."""
    model = build(name)
    short, long = torch.randn(6, 13), torch.randn(6, 41)
    alone = model([short])
    batched = model([short, long])
    x, mask = model._pad([short, long])
    x[0, :, 13:] = 1e3 * torch.randn(6, x.shape[-1] - 13)  # garbage where the mask is 0
    garbage = model.outputs(x, mask)
    for a, b, g in zip(alone, batched, garbage):
        valid = a[2][0]
        n = int(valid.sum())
        for k in (0, 1):
            torch.testing.assert_close(a[k][0][:, valid], b[k][0][:, :n], atol=1e-4, rtol=1e-4)
            torch.testing.assert_close(g[k][0][:, :n], b[k][0][:, :n], atol=1e-4, rtol=1e-4)



@pytest.mark.parametrize("radius", [0, 2, 4])
def test_local_attention_by_offset_equals_by_window(radius):
    """The exported graph's attention (one offset at a time) is the trained one (unfolded windows), padding
    and all: a video that ends before the padded length, a window wider than what is left of it."""
    from videokit.models.detection.actionformer import attend_by_offset, attend_by_window

    torch.manual_seed(radius)
    q, k, v = (torch.randn(2, 3, 4, 11) for _ in range(3))
    mask = torch.ones(2, 1, 11)
    mask[1, :, 7:] = 0
    want = attend_by_window(q, k, v, mask, radius)
    assert torch.allclose(attend_by_offset(q, k, v, mask, radius), want, atol=1e-6)
    assert want.shape == (2, 3, 4, 11)

def test_trident_boundary_decoding_by_hand():
    """Start logits peak 3 positions left of position 6: its left distance is ~3; an offset logit can move
    it; positions before the sequence start are never reached."""
    start = torch.zeros(1, 10)
    start[0, 3] = 20.0
    offsets = torch.zeros(1, 5, 10)  # bins b = 0..4
    valid = torch.ones(1, 10, dtype=torch.bool)
    left = expected_offset(start, offsets, valid, -1)
    assert left[0, 6].item() == pytest.approx(3.0, abs=1e-6)
    assert left[0, 0].item() == 0.0  # only b = 0 is reachable at the first position
    # uniform logits at position 2: b = 0, 1, 2 reachable -> mean 1
    assert expected_offset(torch.zeros(1, 10), offsets, valid, -1)[0, 2].item() == pytest.approx(1.0)
    offsets[0, 1, 6] = 40.0  # the offset branch overrules the boundary: b = 1
    assert expected_offset(start, offsets, valid, -1)[0, 6].item() == pytest.approx(1.0, abs=1e-6)
    end = torch.zeros(1, 10)
    end[0, 8] = 20.0
    assert expected_offset(end, torch.zeros(1, 5, 10), valid, +1)[0, 5].item() == pytest.approx(3.0, abs=1e-6)
    short = valid.clone()
    short[0, 7:] = False  # the end at 8 lies in the padding: never reached
    assert expected_offset(end, torch.zeros(1, 5, 10), short, +1)[0, 5].item() == pytest.approx(0.5, abs=1e-6)


def soft_nms_loop(segments, scores, sigma, max_num, min_score):
    """The one-candidate-at-a-time reference (videokit's first implementation)."""
    segments, scores = segments.clone(), scores.clone()
    kept_seg, kept_score = [], []
    while len(scores) and len(kept_seg) < max_num:
        best = int(scores.argmax())
        if scores[best] < min_score:
            break
        seg = segments[best]
        kept_seg.append(seg)
        kept_score.append(scores[best])
        inter = (torch.min(seg[1], segments[:, 1]) - torch.max(seg[0], segments[:, 0])).clamp(min=0)
        iou = inter / ((seg[1] - seg[0]) + (segments[:, 1] - segments[:, 0]) - inter).clamp(min=1e-6)
        scores = scores * torch.exp(-iou.pow(2) / sigma)
        scores[best] = -1.0
    if not kept_seg:
        return segments.new_zeros((0, 2)), scores.new_zeros(0)
    return torch.stack(kept_seg), torch.stack(kept_score)


@pytest.mark.parametrize("seed", range(12))
def test_vectorised_soft_nms_equals_the_loop(seed):
    g = torch.Generator().manual_seed(seed)
    n = int(torch.randint(1, 300, (1,), generator=g))
    start = torch.rand(n, generator=g, dtype=torch.float64) * 100
    segments = torch.stack([start, start + torch.rand(n, generator=g, dtype=torch.float64) * 20 + 0.1], 1)
    scores = torch.rand(n, generator=g, dtype=torch.float64)
    labels = torch.randint(0, 5, (n,), generator=g)
    max_num = int(torch.randint(1, 60, (1,), generator=g))
    segs, kept, classes = soft_nms(segments, scores, labels, 0.5, max_num, 0.01)
    for k in labels.unique():
        ref_segs, ref_scores = soft_nms_loop(segments[labels == k], scores[labels == k], 0.5, max_num, 0.01)
        chosen = classes == k
        torch.testing.assert_close(segs[chosen], ref_segs)
        torch.testing.assert_close(kept[chosen], ref_scores)


def test_hard_nms_equals_the_greedy_loop():
    g = torch.Generator().manual_seed(1)
    start = torch.rand(200, generator=g) * 100
    segments = torch.stack([start, start + torch.rand(200, generator=g) * 15 + 0.5], 1)
    scores, labels = torch.rand(200, generator=g), torch.randint(0, 3, (200,), generator=g)
    segs, kept, classes = hard_nms(segments, scores, labels, 0.4, 1000)
    for k in range(3):
        order = scores[labels == k].argsort(descending=True)
        cand, keep = segments[labels == k][order], []
        for i in range(len(cand)):
            inter = (torch.min(cand[i, 1], cand[keep, 1]) - torch.max(cand[i, 0], cand[keep, 0])).clamp(min=0)
            union = (cand[i, 1] - cand[i, 0]) + (cand[keep, 1] - cand[keep, 0]) - inter
            if not keep or (inter / union).max() <= 0.4:
                keep.append(i)
        torch.testing.assert_close(segs[classes == k], cand[keep])


def test_parts_are_registered_and_swap_in_one_config_line():
    for name in ("ConvProjection", "ConvPyramid", "LocalAttentionPyramid", "SGPPyramid", "PointHead", "TridentHead",
                 "TemporalFocalLoss", "TemporalDIoULoss", "SegmentPostProcessor", "DenseTemporalDetector"):
        assert MODELS.get(name) is not None, name
    model = MODELS.build(dict(type="DenseTemporalDetector", in_channels=6, num_classes=2, embed_dims=16, num_levels=2,
                              head=dict(type="TridentHead", num_bins=3), test_cfg=dict(nms="hard")))
    assert type(model.head).__name__ == "TridentHead" and model.head.postprocess.nms == "hard"
    with pytest.raises(ValueError, match="nms"):
        MODELS.build(dict(type="DenseTemporalDetector", in_channels=6, num_classes=2, test_cfg=dict(nms="matrix")))
