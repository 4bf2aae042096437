// videokit review: the video under its hierarchical timeline, findings, and edits sent to the server,
// which validates each one with videokit's validator and answers with the video's new state.
"use strict";

const TOKEN = document.querySelector('meta[name="review-token"]').content;
const ROW_HEIGHT = 24;
const GUTTER = 80; // px of each row taken by its level name (see review.css)
const NUDGE = 0.1;
const $ = (id) => document.getElementById(id);
const player = $("player");
const state = { videos: [], taxonomy: null, current: null, data: null, selected: null, drag: null };

function status(text, error = false) {
  $("status").textContent = text;
  $("status").className = error ? "error" : "";
}

async function api(method, url, body) {
  const response = await fetch(url, {
    method,
    headers: { "Content-Type": "application/json", "X-Review-Token": TOKEN },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) {
    status(json.error || `${response.status} ${response.statusText}`, true);
    throw new Error(json.error || response.statusText);
  }
  return json;
}

const levels = () => state.taxonomy.levels.map((level) => level.name);
const levelOf = (name) => state.taxonomy.levels.find((level) => level.name === name);
const className = (level, label) => {
  const found = levelOf(level).classes.find((c) => c.id === label);
  return found ? found.name : String(label);
};
const colour = (level, label) => `hsl(${(label * 47 + levels().indexOf(level) * 131) % 360}, 70%, 72%)`;

function duration() {
  const video = state.data.video;
  const ends = video.segments.map((s) => s.end);
  return video.duration || (isFinite(player.duration) ? player.duration : 0) || Math.max(1, ...ends);
}

// ------------------------------------------------------------------ the video list
async function loadList() {
  const data = await api("GET", "/api/videos");
  state.videos = data.videos;
  state.taxonomy = data.taxonomy;
  $("add-level").innerHTML = levels().slice(1).map((name) => `<option>${name}</option>`).join("");
  renderList();
  const first = state.videos.find((v) => v.errors + v.warnings > 0) || state.videos[0];
  if (first) await selectVideo(first.id);
}

function renderList() {
  const only = $("only-findings").checked;
  const list = $("video-list");
  list.innerHTML = "";
  for (const video of state.videos) {
    if (only && video.errors + video.warnings === 0) continue;
    const item = document.createElement("li");
    item.dataset.id = video.id;
    item.className = video.id === state.current ? "current" : "";
    item.innerHTML = `<span class="name"></span><span class="badge errors ${video.errors ? "" : "zero"}">${video.errors}</span>` +
      `<span class="badge warnings ${video.warnings ? "" : "zero"}">${video.warnings}</span>`;
    item.querySelector(".name").textContent = video.id;
    item.onclick = () => selectVideo(video.id);
    list.appendChild(item);
  }
}

async function selectVideo(id) {
  state.current = id;
  state.selected = null;
  state.data = await api("GET", `/api/videos/${encodeURIComponent(id)}`);
  const path = state.data.video.path || `${id}.mp4`;
  player.src = "/videos/" + path.split("/").map(encodeURIComponent).join("/");
  $("title").textContent = id;
  render();
}

function accept(data) {
  state.data = data;
  const entry = state.videos.find((v) => v.id === state.current);
  if (entry) {
    entry.errors = data.findings.filter((f) => f.severity === "error").length;
    entry.warnings = data.findings.filter((f) => f.severity === "warning").length;
  }
  render();
}

// ------------------------------------------------------------------ drawing
function lanes(items) {
  // overlapping segments of one level go to separate lanes, so an overlap is visible
  const ends = [];
  return items.map((item) => {
    let lane = ends.findIndex((end) => end <= item.start + 1e-6);
    if (lane < 0) { lane = ends.length; ends.push(0); }
    ends[lane] = item.end;
    return lane;
  });
}

function render() {
  renderList();
  renderTimeline();
  renderFindings();
  renderEditor();
  $("undo").disabled = !state.data.can_undo;
  movePlayhead();
}

function renderTimeline() {
  const rows = $("rows");
  rows.innerHTML = "";
  const total = duration();
  const video = state.data.video;
  const flagged = new Set(state.data.findings.filter((f) => f.segment !== null).map((f) => f.segment));
  levels().forEach((level, depth) => {
    let items = video.segments.map((s, index) => ({ ...s, index })).filter((s) => s.level === level);
    let fixed = false;
    if (!items.length && depth === 0) { // the video-level labels, as one bar each
      items = video.labels.map((label) => ({ level, label, start: 0, end: total, index: null }));
      fixed = true;
    }
    if (!items.length) return;
    items.sort((a, b) => a.start - b.start || a.end - b.end);
    rows.appendChild(row(level, items, lanes(items), total, flagged, fixed ? "fixed" : ""));
  });
  if (state.data.predictions) {
    const items = state.data.predictions.map((s) => ({ ...s, index: null }));
    items.sort((a, b) => a.start - b.start);
    rows.appendChild(row("predicted", items, lanes(items), total, new Set(), "prediction"));
  }
}

function row(name, items, laneOf, total, flagged, kind) {
  const div = document.createElement("div");
  div.className = "row";
  div.dataset.level = name;
  div.style.height = `${ROW_HEIGHT * (Math.max(0, ...laneOf) + 1) + 2}px`;
  div.innerHTML = `<span class="row-label">${name}</span><div class="track"></div>`;
  const track = div.querySelector(".track");
  items.forEach((item, k) => {
    const seg = document.createElement("div");
    const level = item.level || name;
    seg.className = `seg ${kind}`;
    if (item.index !== null) {
      seg.dataset.index = item.index;
      if (item.index === state.selected) seg.classList.add("selected");
      if (flagged.has(item.index)) seg.classList.add("flagged");
    }
    seg.style.left = `${(100 * item.start) / total}%`;
    seg.style.width = `${(100 * Math.max(item.end - item.start, 0)) / total}%`;
    seg.style.top = `${ROW_HEIGHT * laneOf[k] + 1}px`;
    seg.style.background = colour(level, item.label);
    seg.textContent = className(level, item.label);
    seg.title = `${className(level, item.label)} ${item.start.toFixed(2)}-${item.end.toFixed(2)} s`;
    if (item.index !== null && !kind) {
      seg.onmousedown = (event) => { if (!event.target.classList.contains("handle")) select(item.index, true); };
      for (const side of ["left", "right"]) {
        const handle = document.createElement("div");
        handle.className = `handle ${side}`;
        handle.onmousedown = (event) => startDrag(event, item.index, side === "left" ? "start" : "end", track);
        seg.appendChild(handle);
      }
    }
    track.appendChild(seg);
  });
  return div;
}

function renderFindings() {
  const list = $("findings");
  list.innerHTML = "";
  $("finding-count").textContent = `(${state.data.findings.length})`;
  for (const finding of state.data.findings) {
    const item = document.createElement("li");
    item.className = finding.severity;
    item.textContent = `${finding.severity}: ${finding.text}`;
    if (finding.segment !== null) {
      const link = document.createElement("a");
      link.textContent = `segment ${finding.segment}`;
      link.dataset.segment = finding.segment;
      link.onclick = () => select(finding.segment, true);
      item.appendChild(link);
    }
    list.appendChild(item);
  }
}

function validLabels(segment) {
  // the classes valid under the segment's parent segment, or under the video's labels when the level
  // above is the video-level one (NurViD: steps under the procedure)
  const video = state.data.video;
  const parentLevel = levels()[levels().indexOf(segment.level) - 1];
  let under = null;
  if (segment.parent !== undefined && segment.parent !== null) under = [video.segments[segment.parent].label];
  else if (parentLevel === levels()[0] && video.labels.length) under = video.labels;
  return levelOf(segment.level).classes.filter((c) => under === null || !c.parents.length ||
    c.parents.some((p) => under.includes(p)));
}

function renderEditor() {
  const segment = state.selected !== null ? state.data.video.segments[state.selected] : null;
  for (const id of ["label", "set-start", "set-end", "delete"]) $(id).disabled = !segment;
  $("sel-info").textContent = segment
    ? `${segment.level} #${state.selected}: ${className(segment.level, segment.label)} ${segment.start.toFixed(2)}-${segment.end.toFixed(2)} s`
    : "none";
  $("label").innerHTML = segment
    ? validLabels(segment).map((c) => `<option value="${c.id}" ${c.id === segment.label ? "selected" : ""}>${c.name}</option>`).join("")
    : "";
}

function movePlayhead() {
  if (!state.data) return;
  const width = $("rows").clientWidth - GUTTER;
  $("playhead").style.left = `${GUTTER + (width * player.currentTime) / duration()}px`;
}

// ------------------------------------------------------------------ editing
function select(index, seek) {
  state.selected = index;
  if (seek) player.currentTime = state.data.video.segments[index].start;
  render();
}

async function update(index, change) {
  accept(await api("POST", `/api/videos/${encodeURIComponent(state.current)}/segments/${index}`, change));
  status(`segment ${index} updated`);
}

function startDrag(event, index, edge, track) {
  event.preventDefault();
  event.stopPropagation();
  state.selected = index;
  const seg = event.target.parentElement;
  const rect = track.getBoundingClientRect();
  const total = duration();
  const original = state.data.video.segments[index];
  let time = original[edge];
  const onMove = (move) => {
    time = Math.min(total, Math.max(0, ((move.clientX - rect.left) / rect.width) * total));
    const start = edge === "start" ? time : original.start;
    const end = edge === "end" ? time : original.end;
    seg.style.left = `${(100 * start) / total}%`;
    seg.style.width = `${(100 * Math.max(end - start, 0)) / total}%`;
  };
  const onUp = () => {
    document.removeEventListener("mousemove", onMove);
    document.removeEventListener("mouseup", onUp);
    update(index, { [edge]: Number(time.toFixed(3)) });
  };
  document.addEventListener("mousemove", onMove);
  document.addEventListener("mouseup", onUp);
}

async function addSegment() {
  const level = $("add-level").value;
  const parentLevel = levels()[levels().indexOf(level) - 1];
  const video = state.data.video;
  const t = player.currentTime;
  let parent = null;
  if (video.segments.some((s) => s.level === parentLevel)) {
    parent = video.segments.findIndex((s) => s.level === parentLevel && s.start <= t && t <= s.end);
    if (parent < 0) { status(`no ${parentLevel} segment at the playhead to hold a new ${level}`, true); return; }
  }
  const probe = { level, parent };
  const label = validLabels(probe)[0];
  const end = Math.min(duration(), t + 2);
  const data = await api("POST", `/api/videos/${encodeURIComponent(state.current)}/segments`,
    { level, label: label.id, start: Number(t.toFixed(3)), end: Number(end.toFixed(3)), parent });
  state.selected = data.video.segments.length - 1;
  accept(data);
  status(`added ${level} segment ${state.selected}`);
}

async function removeSelected() {
  const index = state.selected;
  state.selected = null;
  accept(await api("DELETE", `/api/videos/${encodeURIComponent(state.current)}/segments/${index}`));
  status(`deleted segment ${index}`);
}

async function undo() {
  const data = await api("POST", "/api/undo");
  if (!data.video) { status("nothing to undo"); return; }
  state.selected = null;
  if (data.video !== state.current) await selectVideo(data.video);
  else accept(data.state);
  status("undone");
}

async function save() {
  const data = await api("POST", "/api/save");
  status(`saved ${data.saved}`);
}

// ------------------------------------------------------------------ wiring
$("only-findings").onchange = renderList;
$("set-start").onclick = () => update(state.selected, { start: Number(player.currentTime.toFixed(3)) });
$("set-end").onclick = () => update(state.selected, { end: Number(player.currentTime.toFixed(3)) });
$("delete").onclick = removeSelected;
$("label").onchange = () => update(state.selected, { label: Number($("label").value) });
$("add").onclick = addSegment;
$("undo").onclick = undo;
$("save").onclick = save;
player.addEventListener("timeupdate", movePlayhead);
player.addEventListener("seeked", movePlayhead);
player.addEventListener("loadedmetadata", () => state.data && render());
window.addEventListener("resize", movePlayhead);

document.addEventListener("keydown", (event) => {
  if (event.target.tagName === "SELECT" || event.target.tagName === "INPUT") return;
  const segment = state.selected !== null ? state.data.video.segments[state.selected] : null;
  if ((event.ctrlKey || event.metaKey) && event.key === "z") { event.preventDefault(); undo(); return; }
  if ((event.ctrlKey || event.metaKey) && event.key === "s") { event.preventDefault(); save(); return; }
  if (event.key === " ") { event.preventDefault(); player.paused ? player.play() : player.pause(); return; }
  if (event.key === "a") { addSegment(); return; }
  if (!segment) return;
  const t = Number(player.currentTime.toFixed(3));
  if (event.key === "[") update(state.selected, { start: t });
  else if (event.key === "]") update(state.selected, { end: t });
  else if (event.key === "Delete" || event.key === "Backspace") removeSelected();
  else if (event.altKey && (event.key === "ArrowLeft" || event.key === "ArrowRight")) {
    event.preventDefault();
    update(state.selected, { start: Number((segment.start + (event.key === "ArrowLeft" ? -NUDGE : NUDGE)).toFixed(3)) });
  } else if (event.shiftKey && (event.key === "ArrowLeft" || event.key === "ArrowRight")) {
    event.preventDefault();
    update(state.selected, { end: Number((segment.end + (event.key === "ArrowLeft" ? -NUDGE : NUDGE)).toFixed(3)) });
  }
});

loadList().catch((error) => status(String(error), true));
