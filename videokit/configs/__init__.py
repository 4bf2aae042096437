"""The stock configs, shipped inside the package and named by their path under it, as mmaction2 users name theirs.

``nurvid/tsm_r50_1x1x8_trimmed-procedure`` (``.py`` optional) is the file ``videokit/configs/nurvid/...``; a path
that exists is taken as it is, so ``tools/train.py configs/nurvid/...py`` and a user's own copy keep working.
The repository's top-level ``configs/`` is this folder. ``_base_/`` holds the shared parts the stock configs
inherit; they are not configs to run on their own. Clip settings in a name read as mmaction2's do:
``clip_len x frame_interval x num_clips`` (``tsm_r50_1x1x8``: 8 segments of one frame); the names written the other
way round (``tsm_r50_8x1x1``) still resolve, with a warning naming the file they now are.
"""
from __future__ import annotations

import difflib
import re
import shutil
import warnings
from pathlib import Path
from typing import List, Union

ROOT = Path(__file__).resolve().parent


#: ``_8x1x1_``: the older order of a TSN-style clip (segments first)
_OLDER_CLIP = re.compile(r"_(\d+)x1x1(_|$)")


class ConfigNotFound(FileNotFoundError):
    """Neither a file nor the name of a stock config."""


def names() -> List[str]:
    """Every stock config's name (``dataset/file`` without ``.py``), sorted."""
    return sorted(str(p.relative_to(ROOT).with_suffix("")) for p in ROOT.glob("*/*.py")
                  if p.parent.name != "_base_")


def resolve(config: Union[str, Path]) -> str:
    """The file of ``config``: an existing path as given, else the stock config of that name; an unknown name is
    one error listing the closest names."""
    path = Path(config)
    if path.is_file():
        return str(path)
    name = str(config).removesuffix(".py")
    for prefix in ("configs/", "videokit/configs/"):  # a repository path typed outside the repository
        name = name.removeprefix(prefix)
    candidate = ROOT / f"{name}.py"
    if candidate.is_file() and ".." not in Path(name).parts:
        return str(candidate)
    renamed = _OLDER_CLIP.sub(r"_1x1x\1\2", name)
    if renamed != name and (ROOT / f"{renamed}.py").is_file() and ".." not in Path(renamed).parts:
        warnings.warn(f"{config}: the stock config is named {renamed} (clip settings in mmaction2's order)",
                      DeprecationWarning, stacklevel=2)
        return str(ROOT / f"{renamed}.py")
    close = difflib.get_close_matches(name, names(), n=3, cutoff=0.5)
    hint = f"; did you mean {' or '.join(close)}?" if close else "; `videokit configs list` names them"
    raise ConfigNotFound(f"{config}: no such file, and no stock config of that name{hint}")


def copy(name: str, folder: Union[str, Path]) -> Path:
    """Copy the stock config ``name`` and the ``_base_`` files it inherits into ``folder`` (same layout), so the
    copy runs as it is and a user edits it; returns the copied config."""
    source = Path(resolve(name))
    if ROOT not in source.parents:
        raise ConfigNotFound(f"{name}: not a stock config")
    folder = Path(folder)
    target = folder / source.relative_to(ROOT)
    if target.exists():
        raise FileExistsError(f"{target} exists; copy into another folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    for base in _bases(source):
        destination = folder / base.relative_to(ROOT)
        if not destination.exists():
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(base, destination)
    return target


def _bases(path: Path) -> List[Path]:
    """The ``_base_`` files ``path`` inherits, directly or through other bases."""
    import ast

    found: List[Path] = []
    stack = [path]
    while stack:
        current = stack.pop()
        for node in ast.parse(current.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "_base_" for t in node.targets):
                value = ast.literal_eval(node.value)
                for relative in [value] if isinstance(value, str) else value:
                    base = (current.parent / relative).resolve()
                    if base not in found:
                        found.append(base)
                        stack.append(base)
    return found
