"""The house's shape, checked: no import circle anywhere in the package (function-level imports count),
the feature contract in one place that imports none of its users, heavy imports only where needed, and
each rule written once."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Dict, Set

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


def test_each_rule_has_one_home():
    text = {p: p.read_text() for p in PACKAGE.rglob("*.py")}
    text.update({p: p.read_text() for p in PACKAGE.rglob("*.js")})
    spec = PACKAGE / "features" / "spec.py"
    # window starts: only the feature spec cuts them
    cutters = [p for p, t in text.items()
               if "max(" in t and "- window, 0) + 1" in t or "num_frames - plan.window" in t]
    assert cutters in ([], [spec])
    # the online step schedule: the spec's step_time / latest_window, nowhere a formula of its own
    for path in (PACKAGE / "inference" / "online.py", PACKAGE / "datasets" / "workflow.py"):
        assert "searchsorted" not in text[path] and "np.floor" not in text[path], path
    # "valid under its parent": the taxonomy's; the page gets the table, predict and the session ask
    js = text[PACKAGE / "review" / "static" / "review.js"]
    assert "parents" not in js and "taxonomy.valid" in js
    assert "valid_under" in text[PACKAGE / "review" / "session.py"]
    assert "children_of" in text[PACKAGE / "inference" / "predict.py"]
    # one reader of the taxonomy CSV
    readers = [p for p, t in text.items() if ("read_csv(" in t or "read_table(" in t) and '"parents"' in t]
    assert readers == [PACKAGE / "annotations" / "formats" / "tables.py"], readers
