// The session inspector's page: plain JavaScript, no build step, no library.
// Two views: the list of sessions (#/) and one session (#/sessions/ID). A server-sent stream
// (/inspect/api/updates) says when something changed; the page then fetches what it shows.
"use strict";

const API = "/inspect/api";
const $ = (selector, root = document) => root.querySelector(selector);

const state = {
  view: null,       // "list" or "session"
  sessionId: null,
  events: [],       // the session's timeline entries received so far
  detail: null,     // the latest session view JSON
  loading: false,
  again: false,     // an update arrived while loading
  waveAt: 0,        // when the waveform was last fetched (ms since page load)
  selected: null,   // the selected event number
  audioAxis: null,  // the axis the marks were placed on: true for audio time, false for session time
};

// One time axis for the events, the waveform and the transcripts: the session's input audio
// (an event sits at the audio the client had sent when it went over the wire; a speech event at
// the audio_start_ms/audio_end_ms it names). A session without input audio has only its wall
// time: the milliseconds since it opened.
function onAudioAxis(detail) { return detail.input_ms > 0; }
function position(entry) { return state.audioAxis ? entry.a : entry.t; }
function axisTotal(detail) {
  if (onAudioAxis(detail)) return Math.max(state.waveMs || 0, detail.input_ms, 1);
  return Math.max(detail.session.duration_ms, ...state.events.map((e) => e.t), 1);
}

// ---- formatting ---------------------------------------------------------------------------

function seconds(ms) { return (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + " s"; }
function clock(epochMs) { return new Date(epochMs).toLocaleTimeString([], { hour12: false }); }
function outcomeText(s) {
  if (s.outcome === "closed") return `closed (${s.close_code ?? "no code"})`;
  if (s.outcome === "error" && s.close_code) return `error (${s.close_code})`;
  return s.outcome;
}
function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "style") node.style.cssText = value;
    else node.setAttribute(key, value);
  }
  if (text !== undefined) node.textContent = text;
  return node;
}
async function getJSON(url) {
  const response = await fetch(url, { cache: "no-store" });
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
  return response.json();
}

// ---- routing ------------------------------------------------------------------------------

function route() {
  const match = location.hash.match(/^#\/sessions\/([^/]+)$/);
  $("#list-view").hidden = !!match;
  $("#session-view").hidden = !match;
  if (match) {
    const id = decodeURIComponent(match[1]);
    if (state.sessionId !== id) openSession(id);
  } else {
    state.view = "list";
    state.sessionId = null;
    document.title = "Sessions · inspector";
    refresh();
  }
}

function refresh() {
  if (state.loading) { state.again = true; return; }
  state.loading = true;
  const work = state.view === "session" ? loadSession() : loadList();
  work.catch((error) => console.error(error)).finally(() => {
    state.loading = false;
    if (state.again) { state.again = false; refresh(); }
  });
}

// ---- the list -----------------------------------------------------------------------------

async function loadList() {
  const { sessions, not_kept_notes: notes } = await getJSON(`${API}/sessions`);
  if (state.view !== "list") return;
  showNotes($("#list-not-kept"), notes);
  const body = $("#sessions tbody");
  body.replaceChildren(...sessions.map((s) => {
    const row = el("tr", { "data-session-id": s.id, "data-outcome": s.outcome });
    const link = el("a", { href: `#/sessions/${encodeURIComponent(s.id)}` }, s.id);
    row.append(el("td"), el("td", {}, s.model), el("td", {}, clock(s.started)),
      el("td", { class: "num" }, seconds(s.duration_ms)), el("td", { class: "num" }, String(s.events)),
      el("td", { class: "num" + (s.errors + s.failures ? " errors-count" : "") }, String(s.errors + s.failures)),
      el("td"));
    row.cells[0].append(link);
    row.cells[6].append(el("span", { class: `outcome ${s.outcome}` }, outcomeText(s)));
    return row;
  }));
  $("#no-sessions").hidden = sessions.length > 0;
}

// ---- one session --------------------------------------------------------------------------

function openSession(id) {
  state.view = "session";
  state.sessionId = id;
  state.events = [];
  state.detail = null;
  state.selected = null;
  state.waveAt = 0;
  state.waveMs = 0;
  state.audioAxis = null;
  for (const marks of document.querySelectorAll(".marks")) marks.replaceChildren();
  $("#event-list").replaceChildren();
  $("#event-json").textContent = "";
  $("#event-meta").textContent = "Select an event on the timeline.";
  $("#event-title").textContent = "Event JSON";
  const base = `${API}/sessions/${encodeURIComponent(id)}`;
  $("#export-fixture").href = `${base}/fixture.zip`;
  $("#export-jsonl").href = `${base}/traffic.jsonl`;
  $("#input-audio").removeAttribute("src");
  $("#answer-audio").removeAttribute("src");
  $("#session-title").textContent = id;
  document.title = `${id} · inspector`;
  refresh();
  $("#back").focus();
}

async function loadSession() {
  const id = state.sessionId;
  const base = `${API}/sessions/${encodeURIComponent(id)}`;
  const detail = await getJSON(`${base}?since=${state.events.length}`);
  if (state.sessionId !== id) return;
  state.detail = detail;
  state.events.push(...detail.events);
  renderHead(detail);
  const now = performance.now();
  if (now - state.waveAt > 1000 || detail.session.outcome !== "live") {
    state.waveAt = now;
    await renderWave(base, detail);
  }
  if (state.audioAxis !== onAudioAxis(detail)) {  // the first audio moves every mark
    state.audioAxis = onAudioAxis(detail);
    for (const marks of document.querySelectorAll(".marks")) marks.replaceChildren();
    $("#event-list").replaceChildren();
    addMarks(state.events, detail.failures);
  } else {
    addMarks(detail.events, detail.failures);
  }
  const total = axisTotal(detail);
  $("#timeline").style.setProperty("--dur", total);
  renderAxis($("#timeline .axis"), total);
  $("#axis-note").textContent = state.audioAxis
    ? "time axis: the input audio, as under the waveform"
    : "time axis: since the session opened (no input audio)";
  renderConversation(detail);
  loadAudio(base, detail);
}

function renderHead(detail) {
  const s = detail.session;
  const outcome = $("#session-outcome");
  outcome.className = `outcome ${s.outcome}`;
  outcome.textContent = outcomeText(s);
  const facts = [["Model", s.model], ["Family", s.family], ["Started", clock(s.started)],
    ["Duration", seconds(s.duration_ms)], ["Events", String(s.events)],
    ["Input audio", seconds(detail.input_ms)], ["Answer audio", seconds(detail.output_ms)]];
  if (detail.conversation.source_language) facts.push(["Source language", detail.conversation.source_language]);
  $("#session-facts").replaceChildren(...facts.map(([name, value]) => {
    const pair = el("div");
    pair.append(el("dt", {}, name), el("dd", {}, value));
    return pair;
  }));
  const r = detail.replay;
  $("#replay").textContent = `Answered by: ${r.text}` + (r.why ? ` — ${r.why}.` : ".");
  for (const scripted of r.rules || []) {
    $("#replay").append(el("br"), `Turn ${scripted.turn}: answered by ${scripted.rule} of the scripted answers.`);
  }
  const problems = detail.failures.map((f) => `${seconds(f.t)}: ${f.kind}: ${f.message}`);
  const box = $("#failures");
  box.hidden = problems.length === 0;
  const list = el("ul");
  list.append(...problems.map((p) => el("li", {}, p)));
  box.replaceChildren(list);
  showNotes($("#not-kept"), detail.not_kept_notes.filter((n) => n.what !== "audio"));
  showNotes($("#audio-not-kept"), detail.not_kept_notes.filter((n) => n.what === "audio"));
}

// What the inspector's memory bounds dropped (one sentence per bound, from the API); the box
// is hidden when nothing was.
function showNotes(box, notes) {
  box.hidden = notes.length === 0;
  const list = el("ul");
  list.append(...notes.map((n) => el("li", { "data-bound": n.bound }, n.text)));
  box.replaceChildren(list);
}

function renderAxis(axis, duration) {
  axis.replaceChildren(...[0, 0.25, 0.5, 0.75, 1].map((f) =>
    el("span", { style: `left:${f * 100}%` }, seconds(f * duration))));
}

const NOT_KEPT = " (kept as its type only)";  // an event a content bound did not keep whole
const AUDIO_TYPES = new Set(["input_audio_buffer.append", "response.audio.delta"]);

function markFor(entry) {
  const classes = ["mark"];
  if (AUDIO_TYPES.has(entry.type)) classes.push("audio");
  if (entry.type.startsWith("input_audio_buffer.speech")) classes.push("speech");
  if (entry.level === "error") classes.push("error");
  const label = `${entry.type}${entry.not_kept ? NOT_KEPT : ""} at ${seconds(position(entry))}` + (entry.message ? `: ${entry.message}` : "");
  const mark = el("button", { type: "button", class: classes.join(" "), "data-i": entry.i,
    "data-type": entry.type, "aria-pressed": "false", title: label, "aria-label": label, tabindex: "-1",
    style: `--t:${position(entry)}` });
  mark.addEventListener("click", () => selectEvent(entry.i, mark));
  return mark;
}

// One line of the event list, for an event or a failure; `choose` runs when it is activated.
function listRow(t, dir, text, classes, choose) {
  const row = el("li", { class: classes });
  const button = el("button", { type: "button", "aria-pressed": "false" });
  button.append(el("span", { class: "when" }, seconds(t)), el("span", { class: "dir" }, dir), el("span", {}, text));
  button.addEventListener("click", choose);
  row.append(button);
  $("#event-list").append(row);
  return button;
}

function addMarks(entries, failures) {
  const lanes = { client: $('.lane[data-lane="client"] .marks'), server: $('.lane[data-lane="server"] .marks') };
  for (const entry of entries) {
    const mark = markFor(entry);
    lanes[entry.dir].append(mark);
    const classes = [AUDIO_TYPES.has(entry.type) ? "audio" : "", entry.level || ""].join(" ");
    const text = entry.type + (entry.not_kept ? NOT_KEPT : "") + (entry.message ? `: ${entry.message}` : "");
    mark.row = listRow(position(entry), entry.dir, text, classes, () => selectEvent(entry.i, mark));
    mark.row.dataset.i = entry.i;
  }
  const shown = lanes.server.querySelectorAll(".mark.failure").length;
  for (const failure of failures.slice(shown)) {
    const at = failurePosition(failure);
    const label = `${failure.kind} at ${seconds(at)}: ${failure.message}`;
    const mark = el("button", { type: "button", class: "mark failure", "data-type": failure.kind,
      title: label, "aria-label": label, tabindex: "-1", style: `--t:${at}` });
    mark.addEventListener("click", () => showFailure(failure, mark));
    lanes.server.append(mark);
    mark.row = listRow(at, "mock", `${failure.kind}: ${failure.message}`, "failure", () => showFailure(failure, mark));
  }
  for (const lane of Object.values(lanes)) {
    if (!lane.querySelector('.mark[tabindex="0"]') && lane.firstElementChild) lane.firstElementChild.tabIndex = 0;
  }
}

// A failure (timed since the session opened) on the axis: at the last event before it.
function failurePosition(failure) {
  if (!state.audioAxis) return failure.t;
  let at = 0;
  for (const entry of state.events) { if (entry.t <= failure.t) at = entry.a; else break; }
  return at;
}

function press(mark) {
  for (const other of document.querySelectorAll('[aria-pressed="true"]')) other.setAttribute("aria-pressed", "false");
  mark.setAttribute("aria-pressed", "true");
  if (mark.row) {
    mark.row.setAttribute("aria-pressed", "true");
    mark.row.scrollIntoView({ block: "nearest" });
  }
  const lane = mark.parentElement;
  for (const other of lane.querySelectorAll('.mark[tabindex="0"]')) other.tabIndex = -1;
  mark.tabIndex = 0;
}

async function selectEvent(i, mark) {
  press(mark);
  state.selected = i;
  const data = await getJSON(`${API}/sessions/${encodeURIComponent(state.sessionId)}/events/${i}`);
  if (state.selected !== i) return;
  $("#event-title").textContent = data.event.type ?? "(no type)";
  const entry = state.events[i];
  const audio = state.audioAxis && entry ? ` · at ${seconds(entry.a)} of input audio` : "";
  $("#event-meta").textContent = `#${i} · ${data.dir}${audio} · ${seconds(data.t_ms)} after the session opened`;
  $("#event-json").textContent = JSON.stringify(data.event, null, 2);
  if (entry && entry.in) seekTo($("#input-audio"), entry.in[0]);
  if (entry && entry.out) seekTo($("#answer-audio"), entry.out[0]);
}

function showFailure(failure, mark) {
  press(mark);
  state.selected = null;
  $("#event-title").textContent = failure.kind;
  $("#event-meta").textContent = `${seconds(failure.t)} after the session opened`;
  $("#event-json").textContent = failure.message;
}

// Arrow keys move along a lane (one tab stop per lane); Home/End jump to its ends.
function onLaneKey(event) {
  const mark = event.target.closest(".mark");
  if (!mark) return;
  const marks = [...mark.parentElement.children];
  const at = marks.indexOf(mark);
  const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: marks.length - 1 }[event.key];
  if (next === undefined) return;
  event.preventDefault();
  const target = marks[Math.max(0, Math.min(marks.length - 1, next))];
  for (const other of marks) other.tabIndex = -1;
  target.tabIndex = 0;
  target.focus();
}

async function renderWave(base, detail) {
  const canvas = $("#wave canvas");
  const width = Math.max(100, Math.round(canvas.clientWidth));
  const wave = await getJSON(`${base}/waveform?buckets=${width}`);
  const ratio = window.devicePixelRatio || 1;
  canvas.width = width * ratio;
  canvas.height = Math.round(canvas.clientHeight * ratio);
  const g = canvas.getContext("2d");
  g.clearRect(0, 0, canvas.width, canvas.height);
  g.fillStyle = "#5a6b8c";
  const mid = canvas.height / 2;
  const step = canvas.width / Math.max(wave.low.length, 1);
  for (let k = 0; k < wave.low.length; k++) {
    const top = mid - (wave.high[k] / 1000) * mid;
    const bottom = mid - (wave.low[k] / 1000) * mid;
    g.fillRect(k * step, top, Math.max(step, 1), Math.max(bottom - top, 1));
  }
  state.waveMs = wave.duration_ms;
}

function pct(ms, total) { return `${(100 * Math.min(Math.max(ms, 0), total)) / Math.max(total, 1)}%`; }

const LABEL_GAP = 6;  // px between two labels on one row
const LABEL_ROW = 13; // px per row of labels

// Place each label at its x (px), pulled left where it would pass the right edge, on the first
// of `rows` rows where it overlaps no other; one that finds no room is not shown (the shape it
// names still is, with its title). So no label overlaps another or is cut at an edge.
function layOutLabels(labels, width, rows) {
  const ends = new Array(rows).fill(-Infinity);
  for (const label of labels.sort((a, b) => a.x - b.x)) {
    const w = label.node.offsetWidth;
    const left = Math.max(0, Math.min(label.x, width - w));
    const row = ends.findIndex((end) => end + LABEL_GAP <= left);
    label.node.hidden = row < 0;
    if (row < 0) continue;
    ends[row] = left + w;
    label.node.classList.toggle("pulled", left < label.x);  // it ends, not starts, at its x
    label.node.style.left = `${left}px`;
    label.node.style.top = `${row * LABEL_ROW}px`;
  }
}

function shortItem(id) { return id.startsWith("item_") ? `item …${id.slice(-6)}` : id.replace("-", " "); }

function renderConversation(detail) {
  const total = axisTotal(detail);
  const c = detail.conversation;
  const overlays = $("#wave .overlays");
  const nodes = [];
  for (const span of c.spans) {
    const end = span.end ?? detail.input_ms;
    nodes.push(el("div", { class: "span" + (span.end == null ? " open" : ""), "data-start-ms": span.start,
      "data-end-ms": span.end ?? "", "data-item": span.item, title: `speech ${span.start}–${span.end ?? "…"} ms`,
      style: `left:${pct(span.start, total)};width:calc(${pct(end, total)} - ${pct(span.start, total)})` }));
  }
  for (const item of c.items) {
    nodes.push(el("div", { class: "item", "data-item": item.item, title: `item ${item.item}`,
      style: `left:${pct(item.start, total)};width:max(3px, calc(${pct(item.end, total)} - ${pct(item.start, total)}))` }));
  }
  for (const commit of c.commits) {
    nodes.push(el("div", { class: "commit", "data-at-ms": commit.at, title: `committed ${commit.item} at ${commit.at} ms`,
      style: `left:${pct(commit.at, total)}` }));
  }
  const itemLabels = el("div", { class: "labels item-labels" });
  const commitLabels = el("div", { class: "labels commit-labels" });
  overlays.replaceChildren(...nodes, itemLabels, commitLabels);
  const width = overlays.clientWidth;
  const place = (box, text, ms, classes, title) => {
    const node = el("span", { class: `label ${classes}`, title }, text);
    box.append(node);
    return { node, x: (width * Math.min(Math.max(ms, 0), total)) / total };
  };
  layOutLabels(c.items.map((item) => place(itemLabels, shortItem(item.item), item.start, "item-label", `item ${item.item}`)), width, 2);
  layOutLabels(c.commits.map((commit) => place(commitLabels, "commit", commit.at, "commit-label", `committed ${commit.item} at ${commit.at} ms`)), width, 2);
  renderAxis($("#wave .wave-axis"), total);
  renderTexts(c, total);
}

// The transcripts and answers under the waveform, each under its segment: one row per kind, and
// a second (third...) line of that row where two would overlap. Each box is as wide as its
// segment (at least 12% of the axis) and as tall as its text, so no text is hidden.
function renderTexts(c, total) {
  const where = Object.fromEntries(c.items.map((item) => [item.item, item]));
  const lines = {};  // kind → [{row, end}] (end in % of the axis)
  for (const text of c.texts) {
    const item = where[text.item] || { start: 0, end: total };
    const width = Math.min(100, (100 * Math.max(item.end - item.start, total * 0.12)) / total);
    const left = Math.min((100 * Math.max(item.start, 0)) / total, 100 - width);
    const rows = lines[text.kind] || (lines[text.kind] = []);
    let line = rows.find((r) => r.end <= left);
    if (!line) {
      line = { row: el("div", { class: "text-row", "data-kind": text.kind }), end: 0 };
      if (!rows.length) line.row.append(el("span", { class: "text-row-label" }, text.kind));
      rows.push(line);
    }
    line.row.append(el("div", { class: `text ${text.kind.replace(" ", "-")}`, title: text.text, "data-item": text.item ?? "",
      style: `margin-left:${left - line.end}%;width:${width}%` }, text.text));
    line.end = left + width;
  }
  $("#texts").replaceChildren(...Object.values(lines).flat().map((line) => line.row));
}

// ---- playback, aligned with the timeline ---------------------------------------------------

function loadAudio(base, detail) {
  const version = `${detail.session.events}`;
  for (const [id, name, ms] of [["#input-audio", "input.wav", detail.input_ms], ["#answer-audio", "answer.wav", detail.output_ms]]) {
    const audio = $(id);
    if (!ms || !audio.paused || audio.dataset.version === version) continue;
    audio.dataset.version = version;
    audio.src = `${base}/${name}?v=${version}`;
  }
}

function seekTo(audio, ms) {
  if (!audio.src) return;
  const go = () => { audio.currentTime = ms / 1000; };
  if (audio.readyState >= 1) go();
  else { audio.preload = "metadata"; audio.addEventListener("loadedmetadata", go, { once: true }); audio.load(); }
}

// Where on the events' axis the audio at position `ms` of the input ("in") or the answer
// ("out") is: the input audio is the axis itself; the answer audio is at the event carrying it.
function axisTime(field, ms) {
  if (field === "in" && state.audioAxis) return ms;
  let best = null;
  for (const entry of state.events) {
    const range = entry[field];
    if (range && range[0] <= ms) best = entry;
    if (range && range[1] > ms) break;
  }
  return best ? position(best) : null;
}

function drawHeads() {
  const detail = state.detail;
  if (detail && state.view === "session") {
    const duration = Number($("#timeline").style.getPropertyValue("--dur")) || 1;
    const marksBox = $(".marks");
    const offset = marksBox.offsetLeft;
    for (const [id, field, cls] of [["#input-audio", "in", "input-head"], ["#answer-audio", "out", "answer-head"]]) {
      const audio = $(id);
      const ms = audio.currentTime * 1000;
      const active = audio.src && (ms > 0 || !audio.paused);
      const head = $(`#timeline .${cls}`);
      const t = active ? axisTime(field, ms) : null;
      head.hidden = t === null;
      if (t !== null) head.style.left = `${offset + (marksBox.clientWidth * t) / duration}px`;
      if (field === "in") {
        const waveHead = $(`#wave .${cls}`);
        const overlays = $("#wave .overlays");
        const total = axisTotal(detail);
        waveHead.hidden = !active;
        waveHead.style.left = `${overlays.offsetLeft + (overlays.clientWidth * Math.min(ms, total)) / total}px`;
      }
    }
  }
  requestAnimationFrame(drawHeads);
}

function onWaveClick(event) {
  const overlays = $("#wave .overlays");
  const box = overlays.getBoundingClientRect();
  const total = state.detail ? axisTotal(state.detail) : 1;
  const ms = ((event.clientX - box.left) / box.width) * total;
  const audio = $("#input-audio");
  seekTo(audio, Math.max(0, Math.min(ms, total)));
  audio.play().catch(() => {});
}

function onWaveKey(event) {
  const audio = $("#input-audio");
  if (event.key === " " || event.key === "Enter") {
    event.preventDefault();
    if (audio.paused) audio.play().catch(() => {}); else audio.pause();
  } else if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
    event.preventDefault();
    seekTo(audio, Math.max(0, audio.currentTime * 1000 + (event.key === "ArrowRight" ? 1000 : -1000)));
  }
}

// ---- live updates -------------------------------------------------------------------------

function listen() {
  const source = new EventSource(`${API}/updates`);
  const status = $("#connection");
  source.onopen = () => { status.textContent = "live"; status.classList.add("on"); };
  source.onmessage = () => refresh();
  source.onerror = () => { status.textContent = "reconnecting…"; status.classList.remove("on"); };
}

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && state.view === "session") location.hash = "#/";
});
for (const lane of document.querySelectorAll(".marks")) lane.addEventListener("keydown", onLaneKey);
$("#wave").addEventListener("click", onWaveClick);
$("#wave").addEventListener("keydown", onWaveKey);
$("#show-audio").addEventListener("change", (event) => {
  $("#event-list").classList.toggle("with-audio", event.target.checked);
});
window.addEventListener("hashchange", route);
window.addEventListener("resize", () => { if (state.view === "session" && state.detail) renderConversation(state.detail); });
route();
listen();
requestAnimationFrame(drawHeads);
