"""One module per annotation format; this table maps format names to their reader and writer.

Adding a format is one new module and one line here.
"""
from __future__ import annotations

from typing import Callable, Dict

from . import activitynet, canonical, cvat, elan, frames, labelstudio, mmaction, nurvid, ophnet, subtitles, tables, via

READERS: Dict[str, Callable] = {
    "nurvid": nurvid.read,
    "ophnet": ophnet.read,
    "anet": activitynet.read,
    "mmaction": mmaction.read,
    "canonical": canonical.read,
    "elan": elan.read,
    "labelstudio": labelstudio.read,
    "cvat": cvat.read,
    "via": via.read,
}

WRITERS: Dict[str, Callable] = {
    "anet": activitynet.write,
    "mmaction": mmaction.write,
    "frames": frames.write,
    "canonical": canonical.write,
    "elan": elan.write,
    "labelstudio": labelstudio.write,
    "labelstudio-config": labelstudio.write_config,
    "cvat": cvat.write,
    "via": via.write,
    "vtt": subtitles.write_vtt,
    "srt": subtitles.write_srt,
    "nurvid": nurvid.write,
    "ophnet": ophnet.write,
    "taxonomy": tables.write_taxonomy,
    "splits": tables.write_splits,
}

__all__ = ["READERS", "WRITERS"]
