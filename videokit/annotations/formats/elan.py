"""ELAN (``.eaf``): one tier per level, a child level's tier under its parent's (``PARENT_REF``, an
``Included_In`` linguistic type), so ELAN shows procedure > step / surgery > phase > operation nested.

Reading any ``.eaf`` (a file: one video; a folder: one video per file, as ELAN keeps them; ``.eaf.gz`` too):
``tiers={"procedure": "TIER", "step": "TIER"}`` maps tiers to levels, coarse to fine; by default the
deepest chain of time-aligned tiers under the first root tier that has annotations, each level named after
its tier. Times are milliseconds from the time slots; a slot without a value (ELAN's unaligned slots inside
a subdivision) is placed as ELAN places it, evenly between the valued slots around it on its tier, and one
that cannot be placed is a finding. Tiers without times of their own (symbolic subdivision / association)
become attributes of their parent annotation's segment (``attrs[tier]``); other tiers are left out with a
note. Class ids: a controlled vocabulary entry videokit wrote (``CVE_ID="vk_<level>_<id>"``) carries the
id; else ``taxonomy`` maps values to its classes, else each distinct value is a class.

Writing: one ``<video_id>.eaf`` per video in the folder ``out``; one controlled vocabulary per level (the
taxonomy's ids and level-unique names, so ids come back); the video id, duration, fps and split as
``videokit:*`` header properties; a top level without segments of its own (NurViD's
procedure, OphNet's surgery) as one annotation over the whole video on a tier of the linguistic type
``videokit-video-label``, read back as the video's label(s); each segment's side fields (JSON) and a model's
score on symbolic-association tiers under its level's (``videokit-attrs:<level>``, ``videokit-score:<level>``);
with ``as_predictions`` the level tiers' ``ANNOTATOR`` says they are a model's. ELAN cannot hold per-segment
splits or the classes' parents (docs/annotations.md).
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import pickle
import re
import xml.etree.ElementTree as ET
from contextlib import closing
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union
from xml.sax.saxutils import escape

from ...utils.bulk import in_two
from ..errors import AnnotationError, Finding
from ..model import AnnotationSet, Taxonomy
from ..timeline import video_file
from ._common import PathLike, parse_float, parse_xml, read_bytes, ticks
from ._tool_files import (
    RawSegment,
    RawVideo,
    assemble,
    attrs_from_json,
    level_names,
    parse_tiers,
    rows,
    video_label_names,
    write_video_files,
)
from ._tool_files import xml_escape as _escape
from ._tool_files import xml_quoteattr as quoteattr

VIDEO_LABEL_TYPE = "videokit-video-label"
ATTRS_TIER, ATTRS_TYPE = "videokit-attrs:", "videokit-attrs"
SCORE_TIER = "videokit-score:"  # a model's score per segment (predictions), on a symbolic tier of ATTRS_TYPE
MODEL_ANNOTATOR = "videokit model (pre-annotations)"
SUBDIVIDING = ("Included_In", "Time_Subdivision")
CVE = re.compile(r"vk_([0-9]{1,3})_([0-9]{1,6})")  # fullmatch; ASCII digits of a bounded length
#: a chain of tiers deeper than this (each a child of the one before) is no real annotation document
MAX_TIER_DEPTH = 64
#: fullmatch on the slot times joined by NUL (which no XML text holds): whole milliseconds, as ELAN writes them
_MILLISECONDS = re.compile(r"(?:[0-9]{1,15}\0)*[0-9]{1,15}")
DOCUMENT_DATE = re.compile(rb' DATE="[^"]*"', re.ASCII)
VOCABULARY_DIGEST = re.compile(rb'<PROPERTY NAME="videokit:vocabulary">([0-9a-f]+)</PROPERTY>')


# ---------------------------------------------------------------------------------------------- reading
def _parse(path: Path, known_vocabularies: Optional[bytes] = None) -> Tuple[ET.Element, Optional[bytes]]:
    """The document, and its vocabularies' bytes where videokit wrote it (:func:`_vocabularies_of`; None for
    other files). Where they are byte for byte those already read from another file of the folder, the document
    is parsed up to them only (they are most of each file's bytes; a file cut or changed anywhere in them is
    parsed whole, and its error is found)."""
    data = read_bytes(path)
    vocabularies = _vocabularies_of(data)
    if vocabularies is not None and vocabularies == known_vocabularies:
        data = data[:len(data) - len(vocabularies)] + b"</ANNOTATION_DOCUMENT>"
    return parse_xml(data, path, "an ELAN file"), vocabularies


def _vocabularies_of(data: bytes) -> Optional[bytes]:
    """The bytes from the first controlled vocabulary to the end of a file videokit wrote (the digest of its
    vocabularies in the header), the same in every file of an export; None for any other file."""
    if VOCABULARY_DIGEST.search(data, 0, 4096) is None:
        return None
    cut = data.find(b"<CONTROLLED_VOCABULARY")
    return data[cut:] if cut > 0 else None


def _slots(root: ET.Element, file: str) -> Tuple[List[str], Dict[str, Optional[float]], bool]:
    """The time slots in document order, their times in seconds, and whether every slot has a time in whole
    milliseconds (ELAN's own: nothing to place or round)."""
    slots = list(root.iter("TIME_SLOT"))
    order = [slot.get("TIME_SLOT_ID") for slot in slots]
    texts = [slot.get("TIME_VALUE") for slot in slots]
    if None not in texts and _MILLISECONDS.fullmatch("\0".join(texts)):
        return order, dict(zip(order, [int(text) / 1000.0 for text in texts])), True
    values = {sid: None if text is None else parse_float(text, file, f"TIME_SLOT {sid}", "TIME_VALUE") / 1000.0
              for sid, text in zip(order, texts)}
    return order, values, False


def _resolve(tier_slots: List[str], values: Dict[str, Optional[float]]) -> Dict[str, Optional[float]]:
    """Times of a tier's slots, unaligned ones evenly between the valued slots around them (ELAN's rule)."""
    out = {s: values.get(s) for s in tier_slots}
    i = 0
    while i < len(tier_slots):
        if out[tier_slots[i]] is not None:
            i += 1
            continue
        j = i
        while j < len(tier_slots) and out[tier_slots[j]] is None:
            j += 1
        before = out[tier_slots[i - 1]] if i > 0 else None
        after = out[tier_slots[j]] if j < len(tier_slots) else None
        if before is not None and after is not None:
            for k in range(i, j):
                out[tier_slots[k]] = before + (after - before) * (k - i + 1) / (j - i + 1)
        i = j
    return out


def _chain(root: ET.Element, by_id: Dict[str, ET.Element], file: str) -> List[str]:
    """The default levels: the deepest chain of time-aligned tiers under the first root tier with annotations.
    A set's files share their tier layout: the chain is worked out once per layout."""
    types = tuple((t.get("LINGUISTIC_TYPE_ID"), t.get("CONSTRAINTS")) for t in root.iter("LINGUISTIC_TYPE"))
    layout = tuple((tid, t.get("LINGUISTIC_TYPE_REF"), t.get("PARENT_REF"), len(t) > 0) for tid, t in by_id.items())
    try:
        return list(_layout_chain(layout, types))
    except _TooDeep as exc:
        raise AnnotationError(file, f"tier {exc.tier}", "PARENT_REF",
                              f"tiers nested deeper than {MAX_TIER_DEPTH} (or a cycle)", exc.tier) from None


class _TooDeep(Exception):
    def __init__(self, tier: str) -> None:
        super().__init__(tier)
        self.tier = tier


@lru_cache(maxsize=256)
def _layout_chain(layout: Tuple[Tuple[str, Optional[str], Optional[str], bool], ...],
                  types: Tuple[Tuple[Optional[str], Optional[str]], ...]) -> Tuple[str, ...]:
    """:func:`_chain` of a tier layout: ``(tier id, linguistic type, parent, has annotations)`` per tier and
    ``(type id, constraint)`` per linguistic type (the last of an id wins, as in a dict)."""
    constraints = dict(types)
    children: Dict[Optional[str], List[str]] = {}
    with_annotations = {}
    for tid, ltype, parent, annotated in layout:
        with_annotations[tid] = annotated
        constraint = constraints.get(ltype)
        if constraint in (None, "", *SUBDIVIDING):  # time-aligned
            children.setdefault(parent, []).append(tid)
    roots = [tid for tid in children.get(None, []) if with_annotations[tid]]
    return tuple(_deepest(roots[0], children)) if roots else ()


def _deepest(root: str, children: Dict[Optional[str], List[str]]) -> List[str]:
    """The longest chain of tiers from ``root`` down (the first on a tie), walked iteratively: a cycle of
    ``PARENT_REF`` or a chain deeper than :data:`MAX_TIER_DEPTH` is :class:`_TooDeep`."""
    best: List[str] = []
    stack = [[root]]
    while stack:
        chain = stack.pop()
        if len(chain) > MAX_TIER_DEPTH:
            raise _TooDeep(chain[-1])
        below = children.get(chain[-1], [])
        if len(chain) > len(best):
            best = chain
        stack.extend(chain + [child] for child in reversed(below) if child not in chain)
    return best


def read_file(path: PathLike, tiers: Optional[Dict[str, str]] = None, known_vocabularies: Optional[bytes] = None
              ) -> Tuple[RawVideo, List[str], Dict, List[Finding]]:
    """One ``.eaf``: its video, the levels it was read on, the class tables it carries (under ``""``: the
    bytes of its vocabularies, for the next file), and its findings. ``known_vocabularies``: those bytes of the
    file read before it in the folder (a set's files share them; the same bytes are not read again)."""
    path = Path(path)
    root, vocabularies = _parse(path, known_vocabularies)
    header = _header(root, path)
    by_id = _tiers_by_id(root, path)
    mapping = _level_tiers(root, by_id, tiers, path)
    levels = list(mapping)
    video = _video(header, path)
    declared: Dict[str, Dict[int, Any]] = {"": {0: vocabularies}}  # for the next file of the folder
    if vocabularies is None or vocabularies != known_vocabularies:
        _class_tables(root, levels, declared)
    findings: List[Finding] = []
    annotation_index = _aligned_segments(root, by_id, mapping, video, path, findings)
    _reference_attributes(root, by_id, set(mapping.values()), annotation_index, video, path, findings)
    return video, levels, declared, findings


def _header(root: ET.Element, path: Path) -> Optional[ET.Element]:
    """The document's ``HEADER`` (ELAN's, in milliseconds), after checking the root is an ELAN document."""
    if root.tag != "ANNOTATION_DOCUMENT":
        raise AnnotationError(path, "root", "ANNOTATION_DOCUMENT", "not an ELAN file", root.tag)
    header = root.find("HEADER")
    if header is not None and header.get("TIME_UNITS", "milliseconds") != "milliseconds":
        raise AnnotationError(path, "HEADER", "TIME_UNITS", "only milliseconds are supported", header.get("TIME_UNITS"))
    return header


def _tiers_by_id(root: ET.Element, path: Path) -> Dict[str, ET.Element]:
    by_id = {}
    for n, tier in enumerate(root.iter("TIER")):
        tid = tier.get("TIER_ID")
        if not tid:
            raise AnnotationError(path, f"TIER {n + 1}", "TIER_ID", "missing or empty")
        by_id[tid] = tier
    return by_id


def _level_tiers(root: ET.Element, by_id: Dict[str, ET.Element], tiers: Optional[Dict[str, str]],
                 path: Path) -> Dict[str, str]:
    """level -> tier id: the ``--tiers`` mapping, else the longest chain of time-subdividing tiers."""
    mapping = dict(tiers) if tiers else {tid: tid for tid in _chain(root, by_id, str(path))}
    for level, tid in mapping.items():
        if tid not in by_id:
            raise AnnotationError(path, "tiers", level, f"no tier {tid!r} (tiers: {sorted(by_id)})", tid)
    return mapping


def _video(header: Optional[ET.Element], path: Path) -> RawVideo:
    """The video the document annotates: its media file and the properties videokit wrote."""
    file = str(path)
    media = header.find("MEDIA_DESCRIPTOR") if header is not None else None
    video_path = None
    if media is not None:
        video_path = media.get("RELATIVE_MEDIA_URL") or media.get("MEDIA_URL")
        if video_path and video_path.startswith("./"):
            video_path = video_path[2:]
        elif video_path and video_path.startswith("file://"):
            video_path = video_path[len("file://"):]
    video = RawVideo(path.name.split(".eaf")[0], video_path, where=(file, "ANNOTATION_DOCUMENT"))
    for prop in header.iter("PROPERTY") if header is not None else ():
        name, text = prop.get("NAME") or "", (prop.text or "").strip()
        if name == "videokit:video_id" and text:
            video.video_id = text
        elif name in ("videokit:duration", "videokit:fps") and text:
            setattr(video, name.split(":")[1], parse_float(text, file, f"PROPERTY {name}", "value"))
        elif name == "videokit:split" and text:
            video.split = text
    return video


def _class_tables(root: ET.Element, levels: List[str], declared: Dict[str, Dict[int, str]]) -> None:
    """The class tables videokit wrote as controlled-vocabulary entries (``CVE_ID`` = level and class id)."""
    for entry in list(root.iter("CV_ENTRY_ML")) + list(root.iter("CV_ENTRY")):
        match = CVE.fullmatch(entry.get("CVE_ID") or "")
        if match:
            value_el = entry.find("CVE_VALUE")
            text = (value_el.text if value_el is not None else entry.text) or ""
            level_index, cid = int(match.group(1)), int(match.group(2))
            if level_index < len(levels):
                declared.setdefault(levels[level_index], {})[cid] = text


def _aligned_segments(root: ET.Element, by_id: Dict[str, ET.Element], mapping: Dict[str, str], video: RawVideo,
                      path: Path, findings: List[Finding]) -> Dict[str, int]:
    """The time-aligned annotations of the level tiers as segments (the top level's label tier as the video's
    labels); returns annotation id -> index in ``video.segments``. Parents come later, by time (``assemble``)."""
    file = str(path)
    top = next(iter(mapping), None)
    order, values, whole_ms = _slots(root, file)
    position = {s: i for i, s in enumerate(order)}
    annotation_index: Dict[str, int] = {}
    segments = video.segments
    for level, tid in mapping.items():
        tier = by_id[tid]
        labels = tier.get("LINGUISTIC_TYPE_REF") == VIDEO_LABEL_TYPE and level == top
        aligned = list(tier.iter("ALIGNABLE_ANNOTATION"))
        if not aligned and tier.find(".//REF_ANNOTATION") is not None:
            raise AnnotationError(path, f"tier {tid}", level, "a tier without times of its own cannot be a level "
                                  "(its values are kept as attributes of its parent's segments)", tid)
        if whole_ms:  # every slot has its time: nothing to place, nothing to round
            times = values
        else:
            tier_slots = sorted({s for a in aligned for s in (a.get("TIME_SLOT_REF1"), a.get("TIME_SLOT_REF2"))},
                                key=lambda s: position.get(s, -1))
            times = {s: None if t is None else round(t, 3) for s, t in _resolve(tier_slots, values).items()}
        for a in aligned:
            aid = a.get("ANNOTATION_ID")
            where = (file, f"tier {tid} annotation {aid}")
            start, end = times.get(a.get("TIME_SLOT_REF1")), times.get(a.get("TIME_SLOT_REF2"))
            value_el = a.find("ANNOTATION_VALUE")
            value = (value_el.text or "").strip() if value_el is not None else ""
            if start is None or end is None:
                findings.append(Finding("warning", file, where[1],
                                        "TIME_SLOT_REF1" if start is None else "TIME_SLOT_REF2",
                                        "time slot without a value that ELAN's rule cannot place; left out", value,
                                        "unaligned"))
                continue
            if not value:
                findings.append(Finding("warning", file, where[1], level, "empty annotation value; left out", None,
                                        "empty-value"))
                continue
            cid = _vocabulary_id(a.get("CVE_REF"))
            if labels:
                video.labels.append((value, cid))
                continue
            annotation_index[aid] = len(segments)
            segments.append(RawSegment(level, value, start, end, where, cid))
    return annotation_index


@lru_cache(maxsize=65536)
def _vocabulary_id(ref: Optional[str]) -> Optional[int]:
    """The class id of a vocabulary entry videokit wrote (``CVE_REF="vk_<level>_<id>"``); None for any other."""
    match = CVE.fullmatch(ref or "")
    return int(match.group(2)) if match else None


def _reference_attributes(root: ET.Element, by_id: Dict[str, ET.Element], level_tiers: set,
                          annotation_index: Dict[str, int], video: RawVideo, path: Path,
                          findings: List[Finding]) -> None:
    """Tiers without times: their values become attributes of the segment their references end at (the side
    fields and scores videokit wrote, or any tier an annotator added); time-aligned tiers that are no level
    are left out with a finding."""
    file = str(path)
    aligned_of = _ref_targets({ref.get("ANNOTATION_ID"): ref.get("ANNOTATION_REF")
                               for ref in root.iter("REF_ANNOTATION")})
    for tid, tier in by_id.items():
        if tid in level_tiers:
            continue
        refs = list(tier.iter("REF_ANNOTATION"))
        if not refs:
            if tier.find(".//ALIGNABLE_ANNOTATION") is not None:
                findings.append(Finding("warning", file, f"tier {tid}", "tiers", "time-aligned tier not mapped to a "
                                        "level; left out (map it with --tiers)", tid, "unmapped-tier"))
            continue
        side, score = tid.startswith(ATTRS_TIER), tid.startswith(SCORE_TIER)
        for ref in refs:
            target = ref.get("ANNOTATION_REF")
            target = aligned_of.get(target, target)
            value_el = ref.find("ANNOTATION_VALUE")
            text = (value_el.text or "").strip() if value_el is not None else ""
            if target not in annotation_index or not text:
                continue
            attrs = video.segments[annotation_index[target]].attrs
            if side:  # the side fields videokit wrote
                attrs.update(attrs_from_json(text))
            elif score:  # a model's score
                attrs["score"] = parse_float(text, file, f"tier {tid} annotation {ref.get('ANNOTATION_ID')}", "score")
            else:
                attrs[tid] = f"{attrs[tid]} {text}" if tid in attrs else text


def _ref_targets(ref_target: Dict[Optional[str], Optional[str]]) -> Dict[Optional[str], Optional[str]]:
    """For each symbolic annotation id, the annotation its chain of references ends at (words > morphemes >
    glosses: up to the time-aligned one; None for a cycle). Each id is walked once: linear in the file."""
    resolved: Dict[Optional[str], Optional[str]] = {}
    for start in ref_target:
        chain, seen, target = [], set(), start
        while target in ref_target and target not in resolved and target not in seen:
            seen.add(target)
            chain.append(target)
            target = ref_target[target]
        end = resolved[target] if target in resolved else (None if target in seen else target)
        for aid in chain:
            resolved[aid] = end
    return resolved


def read(src: PathLike, tiers: Optional[Union[str, Dict[str, str]]] = None,
         taxonomy: Optional[Taxonomy] = None) -> AnnotationSet:
    """A folder of ``.eaf`` files (one video each) or one file."""

    src = Path(src)
    mapping = parse_tiers(tiers) if isinstance(tiers, str) else tiers
    files = sorted(p for p in src.iterdir() if p.name.endswith((".eaf", ".eaf.gz"))) if src.is_dir() else [src]
    if not files:
        raise AnnotationError(src, None, "file", "no .eaf files in this folder")
    videos, levels, declared, findings = [], None, {}, []
    vocabularies: Dict[int, Optional[bytes]] = {}  # file index -> its vocabularies' bytes, for the next file

    def read_one(i: int) -> Tuple[RawVideo, List[str], Dict, List[Finding]]:
        known = (vocabularies.pop(i - 1) if i - 1 in vocabularies
                 else _vocabularies_of(read_bytes(files[i - 1])) if i else None)
        read = read_file(files[i], mapping, known)
        vocabularies[i] = read[2].pop("")[0]
        return read

    with closing(in_two(len(files), read_one, _packed, _unpacked)) as each:
        for path, (video, file_levels, file_declared, file_findings) in zip(files, each):
            if levels is None:
                levels = file_levels
            elif file_levels != levels:
                raise AnnotationError(path, "tiers", "levels", f"levels {file_levels} differ from {levels} of "
                                      f"{files[0].name}; map the tiers with --tiers", file_levels)
            for level, table in file_declared.items():
                declared.setdefault(level, {}).update(table)
            videos.append(video)
            findings += file_findings
    if not levels:
        raise AnnotationError(src, None, "tiers", "no time-aligned tier with annotations")
    annotations = assemble(videos, levels, str(src), taxonomy=taxonomy, declared=declared)
    annotations.findings[:0] = findings
    return annotations


def _packed(read: Tuple[RawVideo, List[str], Dict, List[Finding]]) -> tuple:
    """One file's :func:`read_file` result as ``marshal`` takes it (from the second process of a folder)."""
    video, levels, declared, findings = read
    return video.packed(), levels, declared, pickle.dumps(findings)


def _unpacked(values: tuple) -> Tuple[RawVideo, List[str], Dict, List[Finding]]:
    video, levels, declared, findings = values
    return RawVideo.unpacked(video), levels, declared, pickle.loads(findings)


# ---------------------------------------------------------------------------------------------- writing
def _vocabularies(annotations: AnnotationSet, levels: Sequence[str], names: Dict[str, List[str]]) -> List[str]:
    """One controlled vocabulary per level: the taxonomy's ids and level-unique names (the same in every file)."""
    out = []
    for i, level in enumerate(levels):
        out.append(f'<CONTROLLED_VOCABULARY CV_ID={quoteattr(level)}>')
        out.append(f'<DESCRIPTION LANG_REF="und">videokit taxonomy, level {escape(level)}</DESCRIPTION>')
        for cid in sorted(annotations.taxonomy.level(level).classes):
            out.append(f'<CV_ENTRY_ML CVE_ID="vk_{i}_{cid}"><CVE_VALUE LANG_REF="und">{escape(names[level][cid])}'
                       '</CVE_VALUE></CV_ENTRY_ML>')
        out.append('</CONTROLLED_VOCABULARY>')
    return out


@dataclass
class _Tiers:
    """A video's annotations as ELAN elements: the time slots (ms) they refer to, the level tiers' alignable
    annotations, and per level the symbolic tiers of side fields and scores."""

    levels: Sequence[str]
    slots: List[int] = field(default_factory=list)
    counter: int = 0
    label_tier: bool = False
    level: Dict[str, List[str]] = field(default_factory=dict)
    side: Dict[str, List[str]] = field(default_factory=dict)
    scores: Dict[str, List[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for tiers in (self.level, self.side, self.scores):
            tiers.update({lvl: [] for lvl in self.levels})

    def aligned(self, level: str, start_ms: int, end_ms: int, cve: str, value: str) -> int:
        self.counter += 1
        self.slots += [start_ms, end_ms]
        self.level[level].append(
            f'<ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a{self.counter}" '
            f'TIME_SLOT_REF1="ts{len(self.slots) - 1}" TIME_SLOT_REF2="ts{len(self.slots)}" CVE_REF="{cve}">'
            f'<ANNOTATION_VALUE>{_escape(value)}</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION>')
        return self.counter

    def reference(self, tiers: Dict[str, List[str]], level: str, target: int, value: str) -> None:
        self.counter += 1
        tiers[level].append(f'<ANNOTATION><REF_ANNOTATION ANNOTATION_ID="a{self.counter}" ANNOTATION_REF='
                            f'"a{target}"><ANNOTATION_VALUE>{_escape(value)}</ANNOTATION_VALUE>'
                            '</REF_ANNOTATION></ANNOTATION>')


_CONSTRAINTS = [
    '<CONSTRAINT DESCRIPTION="Time subdivision of parent annotation\'s time interval, no time gaps '
    'allowed within this interval" STEREOTYPE="Time_Subdivision"/>',
    '<CONSTRAINT DESCRIPTION="Symbolic subdivision of a parent annotation. Annotations refering to the same '
    'parent are ordered" STEREOTYPE="Symbolic_Subdivision"/>',
    '<CONSTRAINT DESCRIPTION="1-1 association with a parent annotation" STEREOTYPE="Symbolic_Association"/>',
    '<CONSTRAINT DESCRIPTION="Time alignable annotations within the parent annotation\'s time interval, gaps '
    'are allowed" STEREOTYPE="Included_In"/>']


def _document(annotations: AnnotationSet, video, levels: Sequence[str], names: Dict[str, List[str]],
              vocabularies: List[str], digest: str = "", as_predictions: bool = False, date: str = "") -> str:
    """One video's ``.eaf``: header, time slots, tiers, their types, the vocabularies."""
    tiers = _video_tiers(annotations, video, levels, names)
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<ANNOTATION_DOCUMENT AUTHOR="videokit" DATE="{date or _now()}" '
           'FORMAT="3.0" VERSION="3.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           'xsi:noNamespaceSchemaLocation="http://www.mpi.nl/tools/elan/EAFv3.0.xsd">']
    out += _header_xml(video, tiers.counter, digest)
    out += ['<TIME_ORDER>'] + [f'<TIME_SLOT TIME_SLOT_ID="ts{i + 1}" TIME_VALUE="{ms}"/>'
                               for i, ms in enumerate(tiers.slots)] + ['</TIME_ORDER>']
    out += _tiers_xml(tiers, as_predictions)
    out += _types_xml(tiers)
    out.append('<LANGUAGE LANG_DEF="http://cdb.iso.org/lg/CDB-00130975-001" LANG_ID="und" '
               'LANG_LABEL="undetermined (und)"/>')
    out += _CONSTRAINTS + vocabularies
    out.append('</ANNOTATION_DOCUMENT>')
    return "\n".join(out) + "\n"


def _video_tiers(annotations: AnnotationSet, video, levels: Sequence[str], names: Dict[str, List[str]]) -> _Tiers:
    """The segments as annotations of their level's tier (a top level without segments: the video's labels
    span the video), with side fields and scores as symbolic annotations referring to them."""
    tiers = _Tiers(levels)
    source, where = annotations.source, f"video {video.video_id}"
    index = {level: i for i, level in enumerate(levels)}
    end_of_video = max([video.duration or 0.0] + [s.end for s in video.segments])
    tiers.label_tier = not any(s.level == levels[0] for s in video.segments)
    if tiers.label_tier:
        for label, name in video_label_names(annotations, video, names):
            tiers.aligned(levels[0], ticks(0.0, 1000, source, where), ticks(end_of_video, 1000, source, where),
                          f"vk_0_{label}", name)
    for row in rows(annotations, video, names):
        segment = tiers.aligned(row.level, ticks(row.start, 1000, source, where), ticks(row.end, 1000, source, where),
                                f"vk_{index[row.level]}_{row.label}", row.name)
        if row.attrs:
            tiers.reference(tiers.side, row.level, segment, row.attrs_json)
        if row.score is not None:
            tiers.reference(tiers.scores, row.level, segment, f"{row.score:.4f}")
    return tiers


def _header_xml(video, last_id: int, digest: str) -> List[str]:
    media = video_file(video)
    return ['<HEADER MEDIA_FILE="" TIME_UNITS="milliseconds">',
            f'<MEDIA_DESCRIPTOR MEDIA_URL={quoteattr("file:///" + media.lstrip("/"))} MIME_TYPE="video/mp4" '
            f'RELATIVE_MEDIA_URL={quoteattr("./" + media)}/>',
            f'<PROPERTY NAME="lastUsedAnnotationId">{last_id}</PROPERTY>',
            f'<PROPERTY NAME="videokit:vocabulary">{digest}</PROPERTY>',
            *[f'<PROPERTY NAME="videokit:{key}">{escape(str(value))}</PROPERTY>'
              for key, value in (("video_id", video.video_id), ("duration", video.duration), ("fps", video.fps),
                                 ("split", video.split)) if value is not None],
            '</HEADER>']


def _tiers_xml(tiers: _Tiers, as_predictions: bool) -> List[str]:
    out = []
    levels = tiers.levels
    for i, level in enumerate(levels):
        ltype = VIDEO_LABEL_TYPE if i == 0 and tiers.label_tier else level
        parent = f' PARENT_REF={quoteattr(levels[i - 1])}' if i else ""
        annotator = f' ANNOTATOR="{MODEL_ANNOTATOR}"' if as_predictions else ""
        out.append(f'<TIER{annotator} LINGUISTIC_TYPE_REF={quoteattr(ltype)}{parent} TIER_ID={quoteattr(level)}>')
        out += tiers.level[level]
        out.append('</TIER>')
    for prefix, symbolic in ((ATTRS_TIER, tiers.side), (SCORE_TIER, tiers.scores)):
        for level in levels:
            if symbolic[level]:
                out.append(f'<TIER LINGUISTIC_TYPE_REF="{ATTRS_TYPE}" PARENT_REF={quoteattr(level)} '
                           f'TIER_ID={quoteattr(prefix + level)}>')
                out += symbolic[level]
                out.append('</TIER>')
    return out


def _types_xml(tiers: _Tiers) -> List[str]:
    out = []
    for i, level in enumerate(tiers.levels):
        ltype = VIDEO_LABEL_TYPE if i == 0 and tiers.label_tier else level
        constraint = ' CONSTRAINTS="Included_In"' if i else ""
        out.append(f'<LINGUISTIC_TYPE{constraint} CONTROLLED_VOCABULARY_REF={quoteattr(level)} '
                   f'GRAPHIC_REFERENCES="false" LINGUISTIC_TYPE_ID={quoteattr(ltype)} TIME_ALIGNABLE="true"/>')
    if any(tiers.side.values()) or any(tiers.scores.values()):
        out.append(f'<LINGUISTIC_TYPE CONSTRAINTS="Symbolic_Association" GRAPHIC_REFERENCES="false" '
                   f'LINGUISTIC_TYPE_ID="{ATTRS_TYPE}" TIME_ALIGNABLE="false"/>')
    return out


def write(annotations: AnnotationSet, out: PathLike, subset: Optional[str] = None,
          as_predictions: bool = False) -> None:
    """A folder ``out`` with one ``<video_id>.eaf`` per video; ``as_predictions``: the level tiers' annotator is
    the model (pre-annotations an annotator corrects; each segment's score is on a ``videokit-score`` tier)."""
    levels = annotations.levels
    names = level_names(annotations)
    vocabularies = _vocabularies(annotations, levels, names)
    digest = hashlib.sha1("\n".join(vocabularies).encode("utf-8")).hexdigest()[:16]
    date = _now()  # one export, one date
    write_video_files(out, annotations.subset(subset), ".eaf",
                      lambda video: _document(annotations, video, levels, names, vocabularies, digest, as_predictions,
                                              date), same=_same)


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _same(old: bytes, new: bytes) -> bool:
    """Two documents equal but for the time they were written (``ANNOTATION_DOCUMENT``'s ``DATE``): a video
    whose annotations did not change keeps its file, and its date."""
    return len(old) == len(new) and DOCUMENT_DATE.sub(b"", old[:1024]) == DOCUMENT_DATE.sub(b"", new[:1024]) \
        and old[1024:] == new[1024:]
