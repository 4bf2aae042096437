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

#: how a written file is read back before it is moved into place: writer -> (the reader, the write options it
#: takes too, their values when the write is not given them: the writer's defaults); writers without one here
#: (frames, vtt, srt, splits) write what no videokit reader takes
READ_BACK: Dict[str, tuple] = {
    "canonical": (canonical.read, ()), "anet": (activitynet.read, ()), "mmaction": (mmaction.read, ("style",)),
    "nurvid": (nurvid.read, ()), "ophnet": (ophnet.read, ("variant",), {"variant": "all"}), "elan": (elan.read, ()),
    "labelstudio": (labelstudio.read, ()), "labelstudio-config": (labelstudio.read_config, ()),
    "cvat": (cvat.read, ()), "via": (via.read, ()), "taxonomy": (tables.read_taxonomy, ()),
}

__all__ = ["READERS", "READ_BACK", "WRITERS"]
