// videokit review: the video under its hierarchical timeline, findings, and edits sent to the server,
// which validates each one with videokit's validator, journals it, and answers with the video's new state.
// Every string from a file (level, class, video names, findings, paths) reaches the page as text only:
// elements are built with createElement / textContent, never from HTML strings.
"use strict";

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

// the session cookie (HttpOnly, set when the printed address was opened) signs every request; writes add
// the header no cross-site form can send
async function api(method, url, body) {
  const response = await fetch(url, {
    method,
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-Requested-With": "videokit-review" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) {
    if (response.status === 409 && json.stale && json.state) accept(json.state); // another tab changed it
    if (response.status === 409 && json.conflict) showConflict(json.error);
    status(json.error || `${response.status} ${response.statusText}`, true);
    throw new Error(json.error || response.statusText);
  }
  return json;
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "dataset") Object.assign(node.dataset, value);
    else node[key] = value;
  }
  for (const child of children) node.append(child); // strings become text nodes
  return node;
}

function options(select, items) {
  // items: [value, text, selected]
  select.replaceChildren(...items.map(([value, text, selected]) => el("option", { value: String(value), selected: !!selected }, text)));
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
  state.hasCompare = data.has_compare;
  options($("add-level"), levels().slice(1).map((name) => [name, name]));
  $("annotator").textContent = data.annotator;
  if (data.recovered) status(`recovered ${data.recovered} unsaved edits from the journal (Save keeps them)`);
  renderList();
  const first = state.videos.find((v) => v.errors + v.warnings > 0) || state.videos[0];
  if (first) await selectVideo(first.id);
}

function renderList() {
  const only = $("only-findings").checked;
  const list = $("video-list");
  const items = [];
  for (const video of state.videos) {
    if (only && video.errors + video.warnings === 0) continue;
    const item = el("li", { className: video.id === state.current ? "current" : "", dataset: { id: video.id } },
      el("span", { className: "name" }, video.id),
      el("span", { className: `badge errors ${video.errors ? "" : "zero"}` }, String(video.errors)),
      el("span", { className: `badge warnings ${video.warnings ? "" : "zero"}` }, String(video.warnings)));
    item.onclick = () => selectVideo(video.id);
    items.push(item);
  }
  list.replaceChildren(...items);
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
  rows.replaceChildren();
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
  if (state.data.compare) { // a second annotator's segments, level by level under the reviewed ones
    for (const level of levels()) {
      const items = state.data.compare.filter((s) => s.level === level).map((s) => ({ ...s, index: null }));
      if (!items.length) continue;
      items.sort((a, b) => a.start - b.start);
      rows.appendChild(row(`B: ${level}`, items, lanes(items), total, new Set(), "compare"));
    }
  }
}

function row(name, items, laneOf, total, flagged, kind) {
  const div = document.createElement("div");
  div.className = "row";
  div.dataset.level = name;
  div.style.height = `${ROW_HEIGHT * (Math.max(0, ...laneOf) + 1) + 2}px`;
  const track = el("div", { className: "track" });
  div.append(el("span", { className: "row-label", title: name }, name), track);
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
  list.replaceChildren();
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
  // above is the video-level one (NurViD: steps under the procedure); the rule is the server's table
  const video = state.data.video;
  const parentLevel = levels()[levels().indexOf(segment.level) - 1];
  let under = null;
  if (segment.parent !== undefined && segment.parent !== null) under = [video.segments[segment.parent].label];
  else if (parentLevel === levels()[0] && video.labels.length) under = video.labels;
  const table = state.taxonomy.valid[segment.level] || {};
  const allowed = under === null ? null : new Set(under.flatMap((p) => table[String(p)] || []));
  return levelOf(segment.level).classes.filter((c) => allowed === null || allowed.has(c.id));
}

function renderEditor() {
  const segment = state.selected !== null ? state.data.video.segments[state.selected] : null;
  for (const id of ["label", "set-start", "set-end", "delete"]) $(id).disabled = !segment;
  $("sel-info").textContent = segment
    ? `${segment.level} #${state.selected}: ${className(segment.level, segment.label)} ${segment.start.toFixed(2)}-${segment.end.toFixed(2)} s`
    : "none";
  options($("label"), segment ? validLabels(segment).map((c) => [c.id, c.name, c.id === segment.label]) : []);
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
  accept(await api("POST", `/api/videos/${encodeURIComponent(state.current)}/segments/${index}`,
    { ...change, version: state.data.version }));
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
    { level, label: label.id, start: Number(t.toFixed(3)), end: Number(end.toFixed(3)), parent, version: state.data.version });
  state.selected = data.video.segments.length - 1;
  accept(data);
  status(`added ${level} segment ${state.selected}`);
}

async function removeSelected() {
  const index = state.selected;
  state.selected = null;
  accept(await api("DELETE", `/api/videos/${encodeURIComponent(state.current)}/segments/${index}?version=${state.data.version}`));
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

async function save(as) {
  const data = await api("POST", "/api/save", as ? { as } : {});
  $("conflict").hidden = true;
  status(`saved ${data.saved}`);
}

function showConflict(message) {
  // Save found OUT changed by another session: nothing was written; offer the two ways on
  $("conflict-text").textContent = message;
  $("conflict").hidden = false;
}

async function saveAs() {
  const name = $("save-as-name").value.trim();
  if (!name) { status("type a file name (.json) to save as", true); return; }
  await save(name);
}

async function reloadAndReapply() {
  const data = await api("POST", "/api/reload");
  $("conflict").hidden = true;
  const skipped = data.skipped.map((s) => `${s.video} ${s.op} ${s.index ?? ""}: ${s.reason}`);
  $("skipped").replaceChildren(...skipped.map((text) => el("li", {}, text)));
  status(`reloaded; re-applied ${data.applied} edit(s), ${data.skipped.length} not applied`, data.skipped.length > 0);
  const list = await api("GET", "/api/videos");
  state.videos = list.videos;
  if (state.current) await selectVideo(state.current);
}

// ------------------------------------------------------------------ wiring
$("only-findings").onchange = renderList;
$("set-start").onclick = () => update(state.selected, { start: Number(player.currentTime.toFixed(3)) });
$("set-end").onclick = () => update(state.selected, { end: Number(player.currentTime.toFixed(3)) });
$("delete").onclick = removeSelected;
$("label").onchange = () => update(state.selected, { label: Number($("label").value) });
$("add").onclick = addSegment;
$("undo").onclick = undo;
$("save").onclick = () => save();
$("save-as").onclick = saveAs;
$("reapply").onclick = reloadAndReapply;
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
