"""Label Studio's ML backend for a trained videokit model (``videokit serve labelstudio``): Label Studio asks,
videokit answers each task with the model's timeline as pre-annotations an annotator corrects.

The protocol Label Studio 1.x speaks to an ML backend, over HTTP/JSON: ``GET /health`` (alive?), ``POST /setup``
(the project's labeling config; answers the model version), ``POST /predict`` (``{"tasks": [...]}`` ->
``{"results": [one prediction per task]}``), ``POST /webhook`` (project events). Label Studio's own SDK
(``label-studio-ml``) pins Flask, pydantic and its client to versions beside its server, not videokit's, so the
four routes are written here on Flask, which videokit already uses.

- Regions are ``TimelineLabels`` results in the project's own control and label names: a control named after a
  model level (the config ``--to labelstudio-config`` writes), else the control whose labels name most of that
  level's classes; labels matched to classes by name, those no class has reported once. Each region has the
  model's score, each prediction the mean and a model version naming the checkpoint (``videokit <file> <sha>``),
  which Label Studio's task list shows.
- Videos: from ``--videos DIR`` by file name (an upload's name without Label Studio's prefix, a local-files
  path below DIR), never a path outside DIR; else downloaded from Label Studio itself (its URL and an API token:
  ``LABEL_STUDIO_URL`` / ``LABEL_STUDIO_API_KEY``, else what ``/setup`` says) into a temporary file removed after.
  A video that cannot be read is one error in that task's answer (its model version says so); the service
  goes on.
- Time: one worker thread predicts one video at a time (one model, one video in memory). A request's tasks are all
  queued first (a whole project's "retrieve predictions" queues every task), then answered within
  ``answer_within`` seconds: a task predicted before at once, one done in time with its regions, the others with
  an empty prediction whose model version says where they stand (``... (predicting: ask again)``,
  ``... (queued: 3 of 7, ask again)``); asking again gets the regions.
- Trust: see :mod:`videokit.services.auth`.
"""
from __future__ import annotations

import logging
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from flask import Flask, jsonify

from ..annotations import AnnotationSet, Taxonomy
from ..annotations.errors import AnnotationError
from ..annotations.formats.labelstudio import parse_config, regions
from ..utils import file_sha256
from .auth import guard_requests
from .http import RequestError, answer_errors, json_object
from .labelstudio_client import LabelStudioClient, LabelStudioError

LOG = logging.getLogger("videokit.serve")
PENDING = " (predicting: ask again)"
QUEUED = " (queued: {} of {}, ask again)"
BUSY = " (busy: {} videos queued, ask again later)"
#: videos a backend queues at most (a project's "retrieve predictions" queues every task at once)
MAX_QUEUED = 10_000
FAILED = " (no prediction: video not found or not readable)"


class TaskVideoError(Exception):
    """A task's video cannot be reached or read: one error in that task's answer."""


@dataclass
class LabelMap:
    """A project's labeling config in the model's terms: control per level, label per class id."""

    controls: Dict[str, Optional[str]]
    labels: Dict[str, Dict[int, str]]
    unknown: List[str] = field(default_factory=list)  # config labels no class of the model has

    @classmethod
    def from_config(cls, config: str, taxonomy: Taxonomy) -> "LabelMap":
        project = parse_config(config)
        controls: Dict[str, Optional[str]] = {}
        labels: Dict[str, Dict[int, str]] = {}
        taken = set()
        for level in taxonomy.level_names:
            ids = taxonomy.class_ids(level)
            ranked = sorted(((sum(1 for label in values if label in ids), name) for name, values in project.items()
                             if name not in taken), reverse=True)
            control = level if level in project else (ranked[0][1] if ranked and ranked[0][0] else None)
            controls[level] = control
            if control is not None:
                taken.add(control)
                labels[level] = {ids[label]: label for label in project[control] if label in ids}
        known = {label for level in labels.values() for label in level.values()}
        unknown = [f"{name}: {label}" for name, values in project.items() for label in values if label not in known]
        return cls(controls, labels, unknown)


def model_version(checkpoint: Optional[str], backend: str = "pytorch") -> str:
    """``videokit <checkpoint file> <first 8 hex of its SHA-256>`` (``random-init`` without one)."""
    if not checkpoint or str(checkpoint).lower() == "none":
        return f"videokit random-init ({backend})"
    tail = "" if backend == "pytorch" else f" ({backend})"
    return f"videokit {Path(checkpoint).name} {file_sha256(checkpoint)[:8]}{tail}"


def _upload_name(name: str) -> str:
    """A file name as Label Studio stores an upload (``<8 hex digits>-name.mp4``) -> ``name.mp4``."""
    if len(name) > 9 and name[8] == "-" and all(c in "0123456789abcdef" for c in name[:8]):
        return name[9:]
    return name


class VideoSource:
    """Where a task's video is read from: a local folder (``videos``) or Label Studio itself (``url`` + token)."""

    def __init__(self, videos: Optional[str] = None, url: Optional[str] = None, token: Optional[str] = None) -> None:
        self.videos = Path(videos).resolve() if videos else None
        self.url, self.token = (url or "").rstrip("/") or None, token

    def _local(self, link: str) -> Path:
        """The file of ``link`` under ``--videos``: its path below the folder first (a local-files ``?d=`` path,
        e.g. ``videos/x.mp4`` with DIR the document root), then its file name directly in the folder (DIR the
        videos' own folder; an upload's name with or without Label Studio's ``<8 hex>-`` prefix). Two files
        answering to one name is an error naming both; nothing outside the folder is read."""
        parts = urllib.parse.urlsplit(link)
        stored = urllib.parse.parse_qs(parts.query).get("d")  # local-files storage: /data/local-files/?d=dir/x.mp4
        path_name = stored[0] if stored else urllib.parse.unquote(parts.path)
        if stored:
            found = self._inside(path_name)
            if found is not None:
                return found
        name = path_name.replace("\\", "/").rsplit("/", 1)[-1]
        names = list(dict.fromkeys([name, _upload_name(name)]))
        found = [p for p in (self._inside(n) for n in names) if p is not None]
        if len(found) > 1:
            raise TaskVideoError(f"{link}: the name matches {len(found)} videos under --videos {self.videos} "
                                 f"({', '.join(p.name for p in found)}); keep one, or point --videos at the "
                                 "folder Label Studio's paths start from")
        if found:
            return found[0]
        looked = ([path_name] if stored else []) + names
        raise TaskVideoError(f"{link}: no such video under --videos {self.videos} (looked for "
                             f"{', '.join(dict.fromkeys(looked))})")

    def _inside(self, relative: str) -> Optional[Path]:
        """``relative`` below the videos folder, where it is a file there (never a path that leaves it)."""
        if not relative or "\0" in relative:
            return None
        try:
            path = (self.videos / relative.lstrip("/")).resolve()
        except (OSError, ValueError):
            return None
        return path if path.is_relative_to(self.videos) and path.is_file() else None

    @contextmanager
    def open(self, link: str) -> Iterator[Path]:
        """The video of ``link`` (a task's ``data.video``) as a local file, for the time of the ``with``."""
        if self.videos is not None:
            yield self._local(link)
            return
        if not (self.url and self.token):
            raise TaskVideoError(f"{link}: no --videos folder, and no Label Studio URL and API token to download it "
                                 "with (LABEL_STUDIO_URL, LABEL_STUDIO_API_KEY)")
        client = LabelStudioClient(self.url, self.token)
        suffix = Path(urllib.parse.urlsplit(link).path).suffix or ".mp4"
        with tempfile.TemporaryDirectory(prefix="videokit-serve-") as folder:
            target = Path(folder) / f"video{suffix}"
            try:
                client.download(link, target, timeout=60)
            except LabelStudioError as exc:
                raise TaskVideoError(f"{link}: download from Label Studio failed: {exc}") from None
            yield target


@dataclass
class _Job:
    done: threading.Event = field(default_factory=threading.Event)
    result: Optional[Dict[str, Any]] = None


class Predictor:
    """Predicts each task's video once, in one background thread (one model, one video in memory), and keeps the
    answers (a few KB each). A request's tasks are all queued first, then each is answered as it stands: done
    (its regions, at once when predicted before), predicting, queued (with its place), or failed."""

    def __init__(self, predict: Callable[[Path], AnnotationSet], source: VideoSource, version: str,
                 max_queued: int = MAX_QUEUED) -> None:
        self.predict, self.source, self.version, self.max_queued = predict, source, version, max_queued
        self.jobs: Dict[str, _Job] = {}
        self.queue: List[Tuple[str, _Job, LabelMap]] = []
        self.running: Optional[str] = None
        self.lock = threading.Condition()
        threading.Thread(target=self._work, name="videokit-predict", daemon=True).start()

    def submit(self, link: str, labels: LabelMap) -> Optional[_Job]:
        """The job of ``link``, queued if it is new (``None`` when the queue is full)."""
        with self.lock:
            job = self.jobs.get(link)
            if job is None:
                if len(self.queue) >= self.max_queued:
                    return None
                job = self.jobs[link] = _Job()
                self.queue.append((link, job, labels))
                self.lock.notify()
            return job

    def answer(self, link: str, labels: LabelMap, wait: float) -> Dict[str, Any]:
        """``link``'s answer, waiting at most ``wait`` seconds for it."""
        job = self.submit(link, labels)
        if job is None:
            return {"result": [], "score": 0.0, "model_version": self.version + BUSY.format(self.max_queued)}
        if not job.done.wait(max(wait, 0.0)):
            return {"result": [], "score": 0.0, "model_version": self.version + self.standing(link)}
        return job.result

    def standing(self, link: str) -> str:
        """Where ``link``'s job stands, for the model version Label Studio shows: predicting, or its place."""
        with self.lock:
            if self.running == link:
                return PENDING
            place = next((n for n, (queued, _, _) in enumerate(self.queue, start=1) if queued == link), None)
        return PENDING if place is None else QUEUED.format(place, len(self.queue))

    def _work(self) -> None:
        while True:
            with self.lock:
                while not self.queue:
                    self.lock.wait()
                link, job, labels = self.queue.pop(0)
                self.running = link
            try:
                job.result = self._predict(link, labels)
            except TaskVideoError as exc:
                job.result = self.failed(str(exc))
                with self.lock:
                    del self.jobs[link]  # a missing video may appear: ask again
            except Exception as exc:  # noqa: BLE001 -- one task's failure is that task's answer, never the service's
                LOG.debug("predicting %s", link, exc_info=True)
                job.result = self.failed(f"{link}: the video could not be predicted: {type(exc).__name__}: {exc}")
                with self.lock:
                    del self.jobs[link]
            with self.lock:
                self.running = None
            job.done.set()

    def failed(self, message: str) -> Dict[str, Any]:
        """A task's answer without regions: the message in ``error`` and the service's log, and a model version
        that says so in Label Studio's task list (a different version also makes Label Studio ask again)."""
        LOG.warning("%s", message)
        return {"result": [], "score": 0.0, "model_version": self.version + FAILED, "error": message}

    def _predict(self, link: str, labels: LabelMap) -> Dict[str, Any]:
        with self.source.open(link) as path:
            annotations = self.predict(path)
        video = next(iter(annotations))
        results = regions(annotations, video, float(video.fps), True, controls=labels.controls, labels=labels.labels)
        scores = [r["score"] for r in results]
        return {"result": results, "score": sum(scores) / len(scores) if scores else 0.0,
                "model_version": self.version}


def _optional_text(body: Dict[str, Any], name: str) -> Optional[str]:
    """A text field of a request body that may be missing or null; any other type is one 400 naming it."""
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise RequestError(name, f"{name}: expected a string, got {type(value).__name__}")
    return value


def _video_link(task: Dict[str, Any], fields: Optional[List[str]]) -> str:
    """The task's video: the data field the config's ``<Video value="$field">`` names, else ``video``."""
    data = task.get("data") if isinstance(task.get("data"), dict) else {}
    fields = fields or ["video"]
    for name in fields + ["video", "video_url"]:
        if isinstance(data.get(name), str) and data[name]:
            return data[name]
    task_id = task.get("id") if isinstance(task.get("id"), (int, str)) else "?"
    raise TaskVideoError(f"task {str(task_id)[:40]}: no video in its data (looked at {', '.join(fields)})")


def _video_fields(config: str) -> List[str]:
    """The data fields the config's ``<Video value="$field">`` elements name."""
    try:
        root = ET.fromstring(config)
    except (ET.ParseError, TypeError, ValueError):
        return []
    return [v.get("value", "")[1:] for v in root.iter("Video") if v.get("value", "").startswith("$")]


class Project:
    """The project the backend answers: its labeling config, parsed once per text however many tasks a request
    holds, as the model's labels and the data fields that hold a task's video."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.config: Optional[str] = None
        self.labels: Optional[LabelMap] = None
        self.fields: List[str] = []
        self.reported: set = set()

    def labels_for(self, config: Optional[str], field: str = "label_config") -> LabelMap:
        """The labels of ``config`` (the last one seen where a request sends none)."""
        config = config or self.config
        if not config:
            raise TaskVideoError("no labeling config yet: connect the backend to a project (POST /setup)")
        if config != self.config or self.labels is None:
            try:
                labels = LabelMap.from_config(config, self.taxonomy)
            except AnnotationError as exc:
                raise RequestError(field, f"{field}: not a labeling config ({exc.finding.message})") from None
            self.config, self.labels, self.fields = config, labels, _video_fields(config)
            fresh = [label for label in labels.unknown if label not in self.reported]
            if fresh:
                LOG.warning("labels no class of the model has (their regions never come): %s", ", ".join(fresh))
                self.reported.update(fresh)
        return self.labels


def create_app(taxonomy: Taxonomy, predictor: Predictor, answer_within: float = 20.0, password: str = "",
               user: str = "videokit", allowed_hosts: Tuple[str, ...] = ()) -> Flask:
    """The four routes over ``predictor``; ``password``: Label Studio's basic auth for the backend (required
    by the command where it binds beyond this machine)."""
    app = Flask("videokit.serve")
    answer_errors(app)
    guard_requests(app, user, password, allowed_hosts)
    project = Project(taxonomy)

    @app.get("/")
    @app.get("/health")
    def health():
        return jsonify({"status": "UP", "model_class": "videokit", "model_version": predictor.version})

    @app.post("/setup")
    def setup():
        body = json_object(required=False)
        schema = _optional_text(body, "schema")
        if schema:
            project.labels_for(schema, "schema")
        hostname, token = _optional_text(body, "hostname"), _optional_text(body, "access_token")
        if not (predictor.source.url and predictor.source.token) and hostname and token:
            predictor.source.url, predictor.source.token = hostname.rstrip("/"), token
        return jsonify({"model_version": predictor.version})

    @app.post("/predict")
    def predict():
        body = json_object()
        tasks = _tasks(body)
        config = _optional_text(body, "label_config")
        deadline = time.monotonic() + answer_within
        asked: List[Any] = []
        for task in tasks:  # every task queued before any is waited for: a whole project's request queues them all
            try:
                labels = project.labels_for(config)
                link = _video_link(task, project.fields)
                predictor.submit(link, labels)
                asked.append((link, labels))
            except TaskVideoError as exc:
                asked.append(predictor.failed(str(exc)))
        results = [item if isinstance(item, dict) else predictor.answer(*item, deadline - time.monotonic())
                   for item in asked]
        return jsonify({"results": results, "model_version": predictor.version})

    @app.post("/webhook")
    def webhook():
        body = json_object(required=False)
        action = body.get("action")
        LOG.info("Label Studio event %s", action if isinstance(action, str) else "(no action)")
        return jsonify({"status": "ok"})

    return app


def _tasks(body: Dict[str, Any]) -> List[Dict[str, Any]]:
    """``/predict``'s ``tasks``: a list of task objects, else one 400 naming the field."""
    tasks = body.get("tasks")
    if not isinstance(tasks, list):
        raise RequestError("tasks", "tasks: expected a list of task objects")
    for number, task in enumerate(tasks):
        if not isinstance(task, dict):
            raise RequestError(f"tasks[{number}]", f"tasks[{number}]: expected a task object")
    return tasks
