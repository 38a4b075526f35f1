// TTS sessions: per response, the text that went in and the waveform that came out.
// Reads the page's `state` and `API` (inspector.js) and polls while a TTS session is open.
"use strict";

const tts = { key: "", busy: false };

function ttsWave(entry) {
  const width = 360, height = 48, mid = height / 2;
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  canvas.className = "tts-wave";
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", `waveform, ${(entry.duration_ms / 1000).toFixed(2)} s`);
  const g = canvas.getContext("2d");
  g.fillStyle = "#5a6b8c";
  const step = width / Math.max(entry.low.length, 1);
  for (let k = 0; k < entry.low.length; k++) {
    const top = mid - (entry.high[k] / 1000) * mid;
    const bottom = mid - (entry.low[k] / 1000) * mid;
    g.fillRect(k * step, top, Math.max(step, 1), Math.max(bottom - top, 1));
  }
  return canvas;
}

function ttsRender(responses) {
  const list = document.getElementById("tts-list");
  list.replaceChildren();
  for (const entry of responses) {
    const item = document.createElement("li");
    const head = document.createElement("p");
    head.className = "tts-head";
    head.textContent = `${entry.response_id} · ${entry.status} · ${(entry.duration_ms / 1000).toFixed(2)} s ` +
      `${entry.response_format} ${entry.sample_rate} Hz`;
    const text = document.createElement("blockquote");
    text.className = "tts-text";
    text.textContent = entry.text || "(no text)";
    item.append(head, text, ttsWave(entry));
    list.append(item);
  }
  document.getElementById("tts-responses").hidden = responses.length === 0;
}

// A TTS client sends no audio: the input-audio panel has nothing to show.
function ttsHideInput(hidden) {
  for (const id of ["wave-title", "wave", "texts"]) document.getElementById(id).hidden = hidden;
  document.getElementById("input-audio").parentElement.hidden = hidden;
}

async function ttsPoll() {
  const section = document.getElementById("tts-responses");
  const detail = state.detail;
  const isTts = !!(state.sessionId && detail && detail.session.family === "tts");
  ttsHideInput(isTts);
  if (!isTts) {
    section.hidden = true;
    tts.key = "";
    return;
  }
  const key = `${state.sessionId}:${state.events.length}`;
  if (key === tts.key || tts.busy) return;
  tts.busy = true;
  try {
    const base = `${API}/sessions/${encodeURIComponent(state.sessionId)}`;
    const body = await getJSON(`${base}/tts`);
    tts.key = key;
    ttsRender(body.responses);
  } catch (error) {
    section.hidden = true;
  } finally {
    tts.busy = false;
  }
}

setInterval(ttsPoll, 1000);
