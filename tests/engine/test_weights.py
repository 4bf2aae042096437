"""Initial weights: fetched only when asked, from a mirror, resumed, hash-checked; and the stock configs' named
checkpoints fit their models (every backbone key, only the head left at random). The zoo is a server on
127.0.0.1 serving checkpoints built from mmaction2's own shipped configs (the zoo's real key layout, random
values); nothing reaches the internet."""
from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from videokit import configs
from videokit.utils.download import DownloadError, cached_path, expected_hash, fetch, mirrored

from ..conftest import ROOT
from .zoo_server import ZooServer, checkpoint_bytes

ZOO = "https://download.openmmlab.com"


@pytest.fixture()
def zoo():
    server = ZooServer()
    yield server
    server.stop()


def test_fetch_checks_the_hash_and_caches_once(zoo, tmp_path):
    path = zoo.publish("mmaction/v1.0/x", "model_20220101", b"weights" * 1000)
    url = ZOO + path
    assert expected_hash(url) == path[-12:-4]
    got = fetch(url, mirror=zoo.base, root=tmp_path, progress=False)
    assert got == cached_path(url, tmp_path) and got.read_bytes() == b"weights" * 1000
    assert fetch(url, mirror=zoo.base, root=tmp_path, progress=False) == got
    assert len(zoo.requests) == 1  # the second fetch is the cache's


def test_a_wrong_hash_is_one_error_and_leaves_the_cache_clean(zoo, tmp_path):
    path = zoo.publish("mmaction/v1.0/x", "model_20220101", b"good")
    zoo.files[path] = b"tampered"
    with pytest.raises(DownloadError, match="does not start with"):
        fetch(ZOO + path, mirror=zoo.base, root=tmp_path, progress=False)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_a_cut_off_download_is_one_error_then_resumes(zoo, tmp_path):
    data = os.urandom(3 << 20)
    path = zoo.publish("mmaction/v1.0/x", "big_20220101", data)
    zoo.cut_after = 1 << 20  # the server goes away a third of the way in
    with pytest.raises(DownloadError, match="next fetch resumes"):
        fetch(ZOO + path, mirror=zoo.base, root=tmp_path, progress=False)
    assert not cached_path(ZOO + path, tmp_path).exists()
    partial = list(tmp_path.rglob("*.part"))
    assert len(partial) == 1 and partial[0].stat().st_size == 1 << 20
    zoo.cut_after = None
    got = fetch(ZOO + path, mirror=zoo.base, root=tmp_path, progress=False)
    assert got.read_bytes() == data
    assert zoo.requests[-1]["range"] == f"bytes={1 << 20}-"
    assert not list(tmp_path.rglob("*.part"))


def test_no_server_is_one_error(tmp_path):
    with pytest.raises(DownloadError, match="download failed"):
        fetch(ZOO + "/a/b-12345678.pth", mirror="http://127.0.0.1:9", root=tmp_path, progress=False)
    assert not cached_path(ZOO + "/a/b-12345678.pth", tmp_path).exists()


def test_the_mirror_keeps_the_path(monkeypatch):
    url = ZOO + "/mmaction/v1.0/recognition/tsm/a/b-64d69186.pth"
    assert mirrored(url, "http://zoo.hospital.local/") == "http://zoo.hospital.local/mmaction/v1.0/recognition/tsm/a/b-64d69186.pth"
    monkeypatch.setenv("VIDEOKIT_WEIGHTS_MIRROR", "http://127.0.0.1:8000")
    assert mirrored(url).startswith("http://127.0.0.1:8000/mmaction/")
    monkeypatch.delenv("VIDEOKIT_WEIGHTS_MIRROR")
    assert mirrored(url) == url


def _zoo_configs():
    """mmaction2's own metafiles: each published checkpoint URL -> the config that trained it."""
    import mmaction

    root = Path(mmaction.__file__).parent / ".mim"
    found = {}
    for metafile in (root / "configs" / "recognition").glob("*/metafile.yml"):
        for model in yaml.safe_load(metafile.read_text()).get("Models", []):
            if isinstance(model.get("Weights"), str):
                found[model["Weights"]] = root / model["Config"]
    return found


def stock_inits():
    """``{initial-weights URL: [stock configs starting from it]}`` over every stock config."""
    from mmengine.config import Config

    by_url = defaultdict(list)
    for name in configs.names():
        url = Config.fromfile(configs.resolve(name)).get("load_from", None)
        if url:
            by_url[url].append(name)
    return dict(by_url)


def test_every_recognition_config_names_a_published_kinetics_checkpoint():
    inits, zoo = stock_inits(), _zoo_configs()
    named = {name for names in inits.values() for name in names}
    recognition = [n for n in configs.names() if "trimmed" in n or "untrimmed" in n]
    assert recognition and set(recognition) <= named, set(recognition) - named
    for url in inits:
        assert url in zoo, f"{url} is not in mmaction2's metafiles"
        assert "kinetics400" in url or "kinetics-400" in url
        assert expected_hash(url) is not None


@pytest.mark.slow
def test_stock_configs_load_their_initial_weights_backbone_whole_head_at_random(zoo, tmp_path):
    """A checkpoint of each zoo model (built from mmaction2's shipped config: the zoo's key layout, random values),
    fetched through the mirror and loaded into every stock config that names it."""
    from mmaction.registry import MODELS
    from mmengine.config import Config

    from videokit.models.checkpoint import load_initial_weights
    from videokit.register import register_all_modules

    register_all_modules()
    zoo_configs = _zoo_configs()
    rows = []
    for url, names in sorted(stock_inits().items()):
        zoo_model = MODELS.build(Config.fromfile(str(zoo_configs[url])).model)
        directory, stem = url[len(ZOO):].rsplit("/", 1)
        path = zoo.publish(directory, stem.rsplit("-", 1)[0], checkpoint_bytes(zoo_model, tmp_path / "zoo.pth"))
        local = fetch(ZOO + path, mirror=zoo.base, root=tmp_path / "cache", progress=False)
        del zoo_model
        for name in names:
            model = MODELS.build(Config.fromfile(configs.resolve(name)).model)
            report = load_initial_weights(model, str(local))
            backbone = [k for k in model.state_dict() if k.startswith("backbone.")]
            assert backbone and set(backbone) <= set(report.loaded), (name, set(backbone) - set(report.loaded))
            assert all(not k.startswith("backbone.") for k in report.left_at_init), name
            assert not [k for k, *_ in report.mismatched if k.startswith("backbone.")], name
            rows.append(f"{name}: {report.summary(stem)}")
    print("\n".join(rows))
    assert len(rows) >= 17


@pytest.mark.slow
def test_tools_train_fetches_and_loads_the_named_initial_weights(zoo, tmp_path, real_dir, monkeypatch, capsys,
                                                                   warm):
    """`videokit weights fetch` of a config whose load_from names the (local) zoo (the CLI's entry point, in this
    process), then tools/train.py of it (a process of its own, a fork of the warm interpreter: tests/warm.py): the
    initial weights load with their one-line summary, the head left at random."""
    from mmaction.registry import MODELS
    from mmengine.config import Config

    from videokit.cli import main
    from videokit.register import register_all_modules

    register_all_modules()
    name = "nurvid/tsm_r50_1x1x8_trimmed-procedure"
    zoo_configs = _zoo_configs()
    url = Config.fromfile(configs.resolve(name)).load_from
    directory, stem = url[len(ZOO):].rsplit("/", 1)
    data = checkpoint_bytes(MODELS.build(Config.fromfile(str(zoo_configs[url])).model), tmp_path / "zoo.pth")
    local_url = ZOO + zoo.publish(directory, stem.rsplit("-", 1)[0], data)
    copy = configs.copy(name, tmp_path / "configs")
    copy.write_text(copy.read_text() + f"load_from = {local_url!r}\n")
    env = dict(os.environ, VIDEOKIT_CACHE=str(tmp_path / "cache"), VIDEOKIT_WEIGHTS_MIRROR=zoo.base)
    monkeypatch.setenv("VIDEOKIT_CACHE", env["VIDEOKIT_CACHE"])
    monkeypatch.setenv("VIDEOKIT_WEIGHTS_MIRROR", zoo.base)
    capsys.readouterr()
    assert main(["weights", "fetch", str(copy)]) == 0, capsys.readouterr().err
    fetched = capsys.readouterr().out
    assert "SHA-256 checked" in fetched and str(tmp_path / "cache") in fetched
    # the stock config itself names the real zoo file: a file that is not it fails the hash check
    assert main(["weights", "fetch", name, "--mirror", zoo.base]) == 1
    assert "download failed" in capsys.readouterr().err  # not served under the real hash
    # train one iteration on made videos: the summary line names what loaded and what stayed at random
    from ..videos import make_video

    videos = tmp_path / "videos"
    videos.mkdir()
    import json

    records = {"format": "videokit.canonical", "version": 1,
               "taxonomy": {"dataset": "nurvid", "levels": [
                   {"name": "procedure", "classes": [{"id": i, "name": f"p{i}"} for i in range(51)]},
                   {"name": "action", "classes": [{"id": i, "name": f"a{i}"} for i in range(177)]}]},
               "videos": []}
    for v in range(2):
        make_video(videos / f"v{v}.mp4", num_frames=40, fps=10, width=64, height=48)
        records["videos"].append({"id": f"v{v}", "path": f"v{v}.mp4", "duration": 4.0, "fps": 10.0,
                                  "split": "train", "labels": [v], "segments": [
                                      {"level": "action", "label": v, "start": 0.5, "end": 3.5,
                                       "splits": {"procedure": "train", "action": "train"}}]})
    ann = tmp_path / "ann.json"
    ann.write_text(json.dumps(records))
    env.update(NURVID_ANNOTATIONS=str(ann), NURVID_VIDEOS=str(videos), PYTHONUNBUFFERED="1")
    code, output = warm.run_script(ROOT / "tools" / "train.py", [
        str(copy), "--work-dir", str(tmp_path / "work"), "--cfg-options", "train_cfg.max_epochs=1",
        "train_dataloader.batch_size=2", "train_dataloader.num_workers=0", "train_dataloader.persistent_workers=False",
        "--no-validate"], env, Path.cwd(), timeout=900)
    assert code == 0, output[-3000:]
    summary = next(line for line in output.splitlines() if "initial weights" in line)
    print(summary)
    assert "keys loaded" in summary and "left at their init (cls_head.fc_cls.weight, cls_head.fc_cls.bias)" in summary
    assert "shape mismatches" in summary
