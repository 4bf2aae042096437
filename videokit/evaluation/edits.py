"""What changed between two versions of one video's segments, segment by segment (``videokit compare``'s
edits): the edit an annotator made in a tool, named as they would name it.

Matching, in order, each segment used once: unchanged (same class, both ends within ``tolerance``), relabel
(both ends within ``tolerance``, another class), split (one segment of A covered, end to end, by two or more of
B of its class inside it), merge (the other way round), move (same class, overlapping: the start and / or the
end moved), then delete (A's segments left) and add (B's segments left). ``tolerance``: how far two times may be
apart and still be one (a frame-based tool keeps times to a frame).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Sequence, Tuple

Span = Tuple[float, float, int]  # start, end, class id (the reference's ids)
KINDS = ("relabel", "move", "delete", "add", "split", "merge")


@dataclass
class SegmentEdit:
    """One edit: the segments of A it took and the segments of B it gave (``(start, end, class name)``)."""

    video: str
    kind: str
    before: List[Tuple[float, float, str]]
    after: List[Tuple[float, float, str]]

    def to_row(self) -> Dict:
        def text(spans: List[Tuple[float, float, str]]) -> str:
            return "; ".join(f"{name} [{start:g}, {end:g}]" for start, end, name in spans)
        return {"video": self.video, "edit": self.kind, "a": text(self.before), "b": text(self.after)}


def edit_counts(edits: Sequence[SegmentEdit]) -> Dict[str, int]:
    return {kind: sum(1 for e in edits if e.kind == kind) for kind in KINDS}


def _near(x: float, y: float, tolerance: float) -> bool:
    return abs(x - y) <= tolerance


def _overlap(a: Span, b: Span) -> float:
    return min(a[1], b[1]) - max(a[0], b[0])


def _covering(whole: Span, pieces: List[Tuple[int, Span]], tolerance: float) -> List[int]:
    """The pieces (of ``whole``'s class, inside it) that cover it end to end, in time order; [] where they
    do not (fewer than two, a gap or a piece outside)."""
    inside = sorted(((k, p) for k, p in pieces if p[2] == whole[2] and p[0] >= whole[0] - tolerance
                     and p[1] <= whole[1] + tolerance), key=lambda kp: kp[1][0])
    if len(inside) < 2 or not _near(inside[0][1][0], whole[0], tolerance) or \
            not _near(inside[-1][1][1], whole[1], tolerance):
        return []
    if any(inside[n + 1][1][0] > inside[n][1][1] + tolerance for n in range(len(inside) - 1)):
        return []
    return [k for k, _ in inside]


def segment_edits(a: Sequence[Span], b: Sequence[Span], tolerance: float, video: str = "",
                  names: Sequence[str] = ()) -> List[SegmentEdit]:
    """The edits that turn ``a`` into ``b`` (module docstring); unchanged segments give none."""
    left_a = dict(enumerate(a))
    left_b = dict(enumerate(b))

    def name(label: int) -> str:
        return names[label] if 0 <= label < len(names) else str(label)

    def shown(spans: List[Span]) -> List[Tuple[float, float, str]]:
        return [(s, e, name(c)) for s, e, c in sorted(spans)]

    edits: List[SegmentEdit] = []

    def pair_off(same_class: bool, kind: str) -> None:
        pairs = sorted((abs(x[0] - y[0]) + abs(x[1] - y[1]), i, j) for i, x in left_a.items()
                       for j, y in left_b.items() if (x[2] == y[2]) == same_class
                       and _near(x[0], y[0], tolerance) and _near(x[1], y[1], tolerance))
        for _, i, j in pairs:
            if i in left_a and j in left_b:
                if kind:
                    edits.append(SegmentEdit(video, kind, shown([left_a[i]]), shown([left_b[j]])))
                del left_a[i], left_b[j]

    pair_off(True, "")  # unchanged
    pair_off(False, "relabel")
    for i, whole in sorted(left_a.items()):
        pieces = _covering(whole, list(left_b.items()), tolerance)
        if pieces:
            edits.append(SegmentEdit(video, "split", shown([whole]), shown([left_b[k] for k in pieces])))
            del left_a[i]
            for k in pieces:
                del left_b[k]
    for j, whole in sorted(left_b.items()):
        pieces = _covering(whole, list(left_a.items()), tolerance)
        if pieces:
            edits.append(SegmentEdit(video, "merge", shown([left_a[k] for k in pieces]), shown([whole])))
            del left_b[j]
            for k in pieces:
                del left_a[k]
    moves = sorted((-_overlap(x, y), i, j) for i, x in left_a.items() for j, y in left_b.items()
                   if x[2] == y[2] and _overlap(x, y) > 0)
    for _, i, j in moves:
        if i in left_a and j in left_b:
            edits.append(SegmentEdit(video, "move", shown([left_a[i]]), shown([left_b[j]])))
            del left_a[i], left_b[j]
    edits += [SegmentEdit(video, "delete", shown([x]), []) for x in left_a.values()]
    edits += [SegmentEdit(video, "add", [], shown([y])) for y in left_b.values()]
    return edits
