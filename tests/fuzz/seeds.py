"""The fuzz harness's starting points: small, real inputs of every readable format.

Each seed is cut from the authors' files in ``../shared/real_annotations`` (a few whole videos, real ids and
times) or is a file an annotation tool really wrote (``../shared/interop_samples``), and the tool formats
are also seeded with what videokit itself writes from the real sets (ids in meta, side fields, scores), so
that mutations reach every branch of each reader. Seeds are small so a case takes milliseconds.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List

from videokit.annotations import read_annotations, write_annotations

from ..conftest import REAL, SHARED

INTEROP = SHARED / "interop_samples"

#: whole NurViD videos: one with many steps, one with two steps of equal times, ordinary ones
NURVID_VIDEOS = 6
#: OphNet videos (operations, phases and surgeries of each)
OPHNET_VIDEOS = 3


@dataclass
class Seed:
    """One input: its format, the structure kind the mutators edit, the file's bytes, and reader options."""

    name: str
    fmt: str
    kind: str  # json | xml | csv | lines
    data: bytes
    suffix: str
    options: Dict[str, object] = field(default_factory=dict)
    #: for a folder format, the other files of the folder (name -> bytes); ``data`` is ``main``
    main: str = ""
    others: Dict[str, bytes] = field(default_factory=dict)
    #: a real file videokit answers with one error as it is (Label Studio's object tracks: no timeline)
    refused: bool = False


def _nurvid_subset(out: Path) -> Path:
    data = json.loads((REAL / "nurvid" / "NurViD_annotations.json").read_text(encoding="utf-8"))
    ids = sorted(data, key=lambda v: -len(data[v]["annotations"]))[:2] + list(data)[:NURVID_VIDEOS - 2]
    folder = out / "nurvid"
    (folder / "task1_3").mkdir(parents=True)
    (folder / "task2").mkdir()
    (folder / "NurViD_annotations.json").write_text(json.dumps({v: data[v] for v in ids}, indent=4),
                                                     encoding="utf-8")
    for sub in ("task1_3", "task2"):
        for path in sorted((REAL / "nurvid" / sub).glob("*.csv")):
            lines = path.read_text(encoding="utf-8-sig").splitlines()
            keep = [line for line in lines[1:] if any(f"/{v}." in line or f"/{v}_" in line for v in ids)]
            (folder / sub / path.name).write_text("\r\n".join(lines[:1] + keep) + "\r\n", encoding="utf-8")
    return folder


def _ophnet_subset(out: Path) -> Path:
    folder = out / "ophnet"
    folder.mkdir()
    loca = (REAL / "ophnet" / "OphNet2024_loca_challenge.csv").read_text(encoding="utf-8-sig").splitlines()
    ids: List[str] = []
    for line in loca[1:]:
        vid = line.split(",", 1)[0]
        if vid not in ids:
            ids.append(vid)
        if len(ids) > OPHNET_VIDEOS:
            break
    ids = ids[:OPHNET_VIDEOS]
    keep = [line for line in loca[1:] if line.split(",", 1)[0] in ids]
    (folder / "OphNet2024_loca_challenge.csv").write_text("\ufeff" + "\n".join(loca[:1] + keep) + "\n",
                                                          encoding="utf-8")
    surgery = (REAL / "ophnet" / "OphNet2024_surgery.csv").read_text(encoding="utf-8-sig").splitlines()
    rows = [line for line in surgery[1:] if line.split(",", 1)[0] in ids] + surgery[1:4]
    (folder / "OphNet2024_surgery.csv").write_text("\n".join(surgery[:1] + rows) + "\n", encoding="utf-8")
    return folder


def build(out: Path) -> List[Seed]:
    """Every seed, written under ``out`` once per session (the real sets are read through videokit's readers
    and written with its writers, as a user's converted files are)."""
    seeds: List[Seed] = []
    nurvid = _nurvid_subset(out)
    ophnet = _ophnet_subset(out)
    nurvid_files = {str(p.relative_to(nurvid)): p.read_bytes() for p in nurvid.rglob("*") if p.is_file()}
    main = "NurViD_annotations.json"
    seeds.append(Seed("nurvid-json", "nurvid", "json", nurvid_files.pop(main), ".json", main=main, others=nurvid_files))
    full = {str(p.relative_to(nurvid)): p.read_bytes() for p in nurvid.rglob("*") if p.is_file()}
    for name in ("task1_3/train.csv", "task2/action_train.csv"):
        others = dict(full)
        seeds.append(Seed(f"nurvid-{name.replace('/', '-')}", "nurvid", "lines", others.pop(name), ".csv", main=name,
                          others=others))
    ophnet_files = {p.name: p.read_bytes() for p in ophnet.iterdir()}
    for name in sorted(ophnet_files):
        others = dict(ophnet_files)
        seeds.append(Seed(f"ophnet-{name}", "ophnet", "csv", others.pop(name), ".csv", main=name, others=others))

    sets = {"nurvid": read_annotations(nurvid, "nurvid"), "ophnet": read_annotations(ophnet, "ophnet")}
    for dataset, made in sets.items():
        for video in made:
            video.fps = video.fps or 25.0
        written = out / f"written-{dataset}"
        written.mkdir()
        write_annotations(made, written / "canonical.json", "canonical")
        seeds.append(_file_seed(f"canonical-{dataset}", "canonical", "json", written / "canonical.json"))
        write_annotations(made, written / "taxonomy.csv", "taxonomy")
        seeds.append(_file_seed(f"taxonomy-{dataset}", "taxonomy", "csv", written / "taxonomy.csv"))
        write_annotations(made, written / "anet.json", "anet")
        seeds.append(_file_seed(f"anet-{dataset}", "anet", "json", written / "anet.json"))
        for style in ("video", "segments"):
            write_annotations(made, written / f"{style}.txt", "mmaction", style=style)
            seeds.append(_file_seed(f"mmaction-{style}-{dataset}", "mmaction", "lines", written / f"{style}.txt",
                                    style=style))
        write_annotations(made, written / "ls.json", "labelstudio")
        seeds.append(_file_seed(f"labelstudio-{dataset}", "labelstudio", "json", written / "ls.json", fps=25.0))
        write_annotations(made, written / "ls-pred.json", "labelstudio", as_predictions=True)
        seeds.append(_file_seed(f"labelstudio-pred-{dataset}", "labelstudio", "json", written / "ls-pred.json",
                                fps=25.0))
        (written / "ls-min.json").write_text(json.dumps(_json_min(json.loads((written / "ls.json").read_text()))))
        seeds.append(_file_seed(f"labelstudio-min-{dataset}", "labelstudio", "json", written / "ls-min.json",
                                fps=25.0))
        write_annotations(made, written / "via.json", "via")
        seeds.append(_file_seed(f"via-{dataset}", "via", "json", written / "via.json"))
        write_annotations(made, written / "elan", "elan")
        seeds.append(_file_seed(f"elan-{dataset}", "elan", "xml", sorted((written / "elan").iterdir())[0]))
        write_annotations(made, written / "cvat", "cvat")
        seeds.append(_file_seed(f"cvat-{dataset}", "cvat", "xml", sorted((written / "cvat").iterdir())[0], fps=25.0))
    for path in sorted((INTEROP / "elan").iterdir()):
        seeds.append(_file_seed(f"elan-{path.name}", "elan", "xml", path))
    for path in sorted((INTEROP / "cvat").glob("*.xml")):
        seeds.append(_file_seed(f"cvat-{path.name}", "cvat", "xml", path, fps=25.0))
    for path in sorted((INTEROP / "labelstudio").glob("*.json")):
        seeds.append(_file_seed(f"labelstudio-{path.name}", "labelstudio", "json", path, fps=25.0))
        seeds[-1].refused = "videorectangle" in path.name
    for path in sorted((INTEROP / "via").glob("*.json")):
        seeds.append(_file_seed(f"via-{path.name}", "via", "json", path))
    return seeds


def _file_seed(name: str, fmt: str, kind: str, path: Path, **options: object) -> Seed:
    suffix = ".eaf.gz" if path.name.endswith(".eaf.gz") else path.suffix
    return Seed(name, fmt, kind, path.read_bytes(), suffix, dict(options))


def _json_min(tasks: list) -> list:
    """Label Studio's JSON-MIN export of full tasks: flat data plus one key per control."""
    out = []
    for task in tasks:
        flat = {"video": task["data"]["video"], "fps": task["data"]["fps"]}
        for result in task["annotations"][0]["result"]:
            flat.setdefault(result["from_name"], []).append(
                {"ranges": result["value"]["ranges"], "timelinelabels": result["value"]["timelinelabels"]})
        out.append(flat)
    return out


def materialize(seed: Seed, data: bytes, folder: Path) -> Path:
    """Write a (mutated) seed under ``folder``; the path its reader takes."""
    if seed.main:
        root = folder / "input"
        for name, content in {**seed.others, seed.main: data}.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        return root
    path = folder / f"input{seed.suffix}"
    path.write_bytes(data)
    return path
