"""The house's shape, checked: no import circle anywhere in the package (function-level imports count),
the feature contract in one place that imports none of its users, heavy imports only where needed, and
each rule written once."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Dict, Set

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "videokit"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> Dict[str, Set[str]]:
    """``{module: modules of videokit it imports}``, every import statement (lazy ones too)."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: Dict[str, Set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        found: Set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[:len(anchor) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                           for alias in node.names]
            else:
                continue
            found |= {t for t in targets if t in modules and t != name}
        graph[name] = found
    return graph


def test_no_import_circle():
    graph = import_graph()
    # a circle is a module reachable from itself; packages' __init__ re-exports are edges like any other,
    # but a package importing its own submodules is not a circle (the submodule never needs the package)
    def reachable(start: str) -> Set[str]:
        seen, stack = set(), [start]
        while stack:
            for nxt in graph.get(stack.pop(), ()):
                if nxt not in seen and not start.startswith(nxt + ".") and not nxt.startswith(start + "."):
                    seen.add(nxt)
                    stack.append(nxt)
        return seen

    circles = sorted(m for m in graph if "." in m and m in reachable(m) and not m.endswith("__main__"))
    assert not circles, f"import circles through: {circles}"


def test_features_own_the_contract_and_import_none_of_their_users():
    graph = import_graph()
    features = {m for m in graph if m == "videokit.features" or m.startswith("videokit.features.")}
    for module in features:
        bad = {t for t in graph[module] if t.split(".")[1] in ("inference", "datasets", "engine")}
        assert not bad, f"{module} imports {bad}"
    for user in ("inference", "engine", "datasets"):
        assert any(t in features for m,
                   targets in graph.items() if m.startswith(f"videokit.{user}") for t in targets), user
    # engine/extract takes only load_model from inference
    reached = {t for t in graph["videokit.engine.extract"] if t.startswith("videokit.inference")}
    assert reached == {"videokit.inference.network"}
    # no stage reaches into a later one for a rule: models never import evaluation
    assert not {t for m, ts in graph.items() if m.startswith("videokit.models") for t in ts
                if t.startswith("videokit.evaluation")}


#: what a function may import outside the CLI's verbs, the package faces and register.py: libraries whose import
#: costs seconds or that are optional extras, needed by one feature of a module that light commands import
DEFERRABLE = {"torch", "torchvision", "mmengine", "mmaction", "mmcv", "cv2", "av", "decord", "matplotlib", "onnx",
              "onnxruntime", "imageio_ffmpeg", "tqdm", "flask", "werkzeug", "tensorboard"}


def deferred_imports():
    """``(module path, line, imported name)`` of every import inside a function (a try block's version
    fallbacks aside)."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        def visit(node, in_function, in_try):
            for child in ast.iter_child_nodes(node):
                if in_function and not in_try and isinstance(child, (ast.Import, ast.ImportFrom)):
                    name = child.names[0].name if isinstance(child, ast.Import) else \
                        "." * child.level + (child.module or "")
                    found.append((path, child.lineno, name))
                visit(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)),
                      in_try or isinstance(child, ast.Try))
        visit(ast.parse(path.read_text()), False, False)
    return found


def test_deferred_imports_follow_the_one_rule():
    """The rule (README, Layout): heavy libraries are imported at module level inside the modules that need them;
    the CLI's verb modules, the package faces and register.py defer what their verb needs, so a light command
    never loads the training stack (tests/cli/test_imports.py checks that on a fresh interpreter). Anywhere else a
    function imports only a DEFERRABLE library, never videokit's own code or a cheap one."""
    exempt = [PACKAGE / "cli", PACKAGE / "register.py"]
    wrong = [f"{path.relative_to(ROOT)}:{line}: {name}" for path, line, name in deferred_imports()
             if path.name != "__init__.py" and not any(path == e or e in path.parents for e in exempt)
             and (name.startswith(".") or name.split(".")[0] not in DEFERRABLE)]
    assert not wrong, "imports to move to the top of their module:\n" + "\n".join(wrong)


def test_import_videokit_features_stays_free_of_torch():
    code = ("import sys, videokit.features as f; f.FeatureSpec(); f.FeatureFolder('.'); "
            "print(sorted(m for m in ('torch', 'mmengine', 'mmaction', 'cv2') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


def called(path: Path) -> Set[str]:
    """The names ``path`` calls (``f(...)``, ``x.f(...)``: ``f``), read from its syntax tree."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            func = node.func
            names.add(func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", ""))
    return names


def imported_from(path: Path) -> Dict[str, Set[str]]:
    """``{videokit module: names path imports from it}`` (relative imports resolved)."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rsplit(".", 1)[0]
    found: Dict[str, Set[str]] = {}
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                base = ".".join(anchor[:len(anchor) - node.level + 1] + ([base] if base else []))
            found.setdefault(base, set()).update(alias.name for alias in node.names)
    return found


def test_each_rule_has_one_home():
    text = {p: p.read_text() for p in PACKAGE.rglob("*.py")}
    spec = PACKAGE / "features" / "spec.py"
    # window starts: only the feature spec cuts them
    cutters = [p for p, t in text.items()
               if "max(" in t and "- window, 0) + 1" in t or "num_frames - plan.window" in t]
    assert cutters in ([], [spec])
    # the online step schedule: the spec's step_time / latest_window, nowhere a formula of its own
    for path in (PACKAGE / "inference" / "online.py", PACKAGE / "datasets" / "workflow.py"):
        assert not {"searchsorted", "floor"} & called(path), path
    # "valid under its parent": the taxonomy's; the page gets the table, predict and the session ask
    js = (PACKAGE / "review" / "static" / "review.js").read_text()
    assert "parents" not in js and "taxonomy.valid" in js
    assert "valid_under" in called(PACKAGE / "review" / "session.py")
    assert "children_of" in called(PACKAGE / "inference" / "assemble.py")
    # one reader of the taxonomy CSV
    readers = [p for p, t in text.items() if {"read_csv", "read_table"} & called(p) and '"parents"' in t]
    assert readers == [PACKAGE / "annotations" / "formats" / "tables.py"], readers


#: time on a video: the rules annotations/timeline.py owns, and the modules that ask it
TIMELINE = PACKAGE / "annotations" / "timeline.py"
TIMELINE_USERS = {
    "labels_at": ["annotations/formats/frames.py", "evaluation/agreement.py"],
    "level_labels_at": ["annotations/online_targets.py"],
    "link_by_time": ["inference/assemble.py"],
    "link_parents": ["annotations/formats/_tool_files.py"],
    "tiou": ["evaluation/agreement.py", "evaluation/detection.py", "evaluation/workflow.py"],
    "video_file": ["prepare.py", "engine/extract.py", "datasets/recognition.py", "review/session.py",
                   "cli/validate.py", "annotations/formats/labelstudio.py", "annotations/formats/via.py",
                   "annotations/formats/elan.py"],
}


def test_time_on_a_video_has_one_owner():
    """Each rule about time is defined once (annotations/timeline.py) and its users import it from there; no
    other module computes a tIoU or writes ``path or f"{video_id}.mp4"`` of its own."""
    for name, users in TIMELINE_USERS.items():
        for user in users:
            imports = imported_from(PACKAGE / user)
            assert name in imports.get("videokit.annotations.timeline", set()), f"{user} does not import {name}"
    defined = {p for p in PACKAGE.rglob("*.py") for node in ast.walk(ast.parse(p.read_text()))
               if isinstance(node, ast.FunctionDef) and node.name in ("tiou", "labels_at", "link_by_time",
                                                                       "link_parents", "frame_labels",
                                                                       "video_file")}
    assert defined == {TIMELINE}, sorted(str(p) for p in defined)
    spelled = [f"{p.relative_to(ROOT)}:{node.lineno}" for p in PACKAGE.rglob("*.py") if p != TIMELINE
               for node in ast.walk(ast.parse(p.read_text()))
               if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or)
               and isinstance(node.values[0], ast.Attribute) and node.values[0].attr == "path"
               and any(isinstance(v, ast.JoinedStr) for v in node.values[1:])]
    assert not spelled, spelled


#: the data path, lowest first: a module imports only from packages of a lower rank than its own (or its own
#: package); bundled data and the stock configs sit beside utils, the CLI and the package face on top
STAGES = {
    "utils": 0, "bundled": 0, "configs": 0,
    "annotations": 1,
    "video": 2, "visualization": 2,
    "features": 3, "prepare": 3,
    "datasets": 4, "models": 4,
    "evaluation": 5,
    "register": 6,
    "inference": 7,
    "runtime": 8, "services": 8,
    "deploy": 9, "review": 9, "engine": 9,
    "demo": 10,
    "cli": 11, "__main__": 11,
}


def test_each_stage_imports_only_the_stages_below_it():
    """Read from the import statements (lazy ones too): the stage order README's Layout draws."""
    graph = import_graph()

    def stage(module: str) -> str:
        parts = module.split(".")
        return parts[1] if len(parts) > 1 else "videokit"

    assert {stage(m) for m in graph} - {"videokit"} <= set(STAGES), "a package the stage table does not name"
    wrong = sorted(f"{m} -> {t}" for m, targets in graph.items() for t in targets
                   if stage(m) != "videokit" and stage(m) != stage(t) and stage(t) != "videokit"
                   and STAGES[stage(t)] >= STAGES[stage(m)] and not _kept_for_one_release(m))
    assert not wrong, "imports that run up (or across) the stages:\n" + "\n".join(wrong)


def _kept_for_one_release(module: str) -> bool:
    """The older import paths, kept one release: each only re-exports from where the thing lives now."""
    path = ROOT / (module.replace(".", "/") + ".py")
    return path.is_file() and "moved(__name__" in path.read_text()


@pytest.mark.parametrize("old,new,name", [
    ("videokit.deploy.runtime", "videokit.inference.runtime", "OnnxRecognizer"),
    ("videokit.deploy.presets", "videokit.inference.presets", "apply_preset"),
    ("videokit.deploy.labelstudio_backend", "videokit.services.labelstudio", "Predictor"),
    ("videokit.deploy.backend_auth", "videokit.services.auth", "guard_requests"),
    ("videokit.features.backbone", "videokit.features.window_features", "WindowBackbone"),
    ("videokit.annotations.hierarchy", "videokit.annotations.hierarchy_decoding", "consistent_predictions"),
])
def test_older_import_paths_still_work_for_one_release_with_a_warning(old, new, name):
    code = (f"import warnings; warnings.simplefilter('error', DeprecationWarning)\n"
            f"try:\n    import {old}\nexcept DeprecationWarning as exc:\n    print(exc)\n"
            f"warnings.simplefilter('ignore')\nimport {old} as o, {new} as n\nprint(getattr(o, '{name}') is "
            f"getattr(n, '{name}'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.splitlines() == [f"{old} moved to {new}; the old path goes in the next release", "True"]


def test_renamed_names_warn_and_resolve():
    import videokit.engine
    import videokit.inference

    with pytest.warns(DeprecationWarning, match="TrainedRecognizer"):
        assert videokit.inference.Recognizer is videokit.inference.TrainedRecognizer
    with pytest.warns(DeprecationWarning, match="videokit.models.CheckpointRefused"):
        from videokit.models import CheckpointRefused
        assert videokit.engine.CheckpointRefused is CheckpointRefused
