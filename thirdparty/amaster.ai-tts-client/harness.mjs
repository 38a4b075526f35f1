// Drive @amaster.ai/tts-client (its own WebSocket code) through one TTS session against a mock.
//
//     node harness.mjs --url ws://127.0.0.1:PORT/api-ws/v1/realtime --api-key KEY [--model ID]
//
// The client is written for a browser page on the Amaster platform: it opens the relative URL
// /api/proxy/builtin/platform/qwen-tts/api-ws/v1/realtime with the page's global WebSocket and
// sends neither a model nor a key (it ignores its getAccessToken option); the platform's proxy
// adds both on the way to DashScope. The harness stands in for the page and the proxy and
// changes nothing in the client: the global WebSocket is the `ws` package's, which opens that
// path at --url with `?model=` and the Bearer key, and notes every server event (the client
// surfaces only audio and errors). Its default model is the one its README's voices belong to:
// `Peter` (Tianjin) is a qwen3-tts-flash-realtime voice and not a qwen-tts-realtime one
// (docs/protocol/tts.md §7.1, §7.3), and the formats it offers (pcm, mp3, wav, opus) are the
// Qwen3 models' (§1).
//
// The session, as the README's basic usage runs it with playback off: connect (it answers
// session.created with session.update {mode server_commit, voice Cherry, pcm, 24000} and is
// ready at session.updated), speak() (one input_text_buffer.append per fragment, then
// input_text_buffer.commit), the audio until response.audio.done, then close(). The harness waits
// for that and for the server's answer to the commit. Exit 0 with one summary line when the
// server sent no error event and the client collected every byte of audio the server sent; else
// exit 1 with the reason.
//
// What it relies on beyond the docs: it sends no event_id (the docs mark it required; the mock
// accepts its absence, docs/protocol/tts.md §2); it commits in server_commit mode right after
// appending whole sentences, which the docs allow (§3: the buffer is synthesized at once) but
// which finds the buffer already spoken by the server's own segmentation (the mock answers
// committed, Behaviour.tts_commit_after_segmentation, §12.3); it takes response.audio.done as
// the end of the audio without waiting for response.done, never sends session.finish, and
// closes the socket itself (§6.5: text not yet synthesized is then lost; none is left).

import { parseArgs } from "node:util";
import { WebSocket as NodeWebSocket } from "ws";
import { createTTSClient } from "@amaster.ai/tts-client";

const PROXY_PATH = "/api/proxy/builtin/platform/qwen-tts/api-ws/v1/realtime";
const DEFAULT_MODEL = "qwen3-tts-flash-realtime";
const TEXT = "Hello from the harness. This sentence is synthesized by the mock.";
const TIMEOUT_MS = 60_000;

const { values: args } = parseArgs({
  options: {
    url: { type: "string" },
    "api-key": { type: "string" },
    model: { type: "string", default: DEFAULT_MODEL },
  },
});

/** The page's WebSocket, as the platform's proxy would complete it; notes what the server sends. */
function proxiedWebSocket(url, apiKey, model, heard, onEvent) {
  return class ProxiedWebSocket extends NodeWebSocket {
    constructor(address, protocols) {
      if (address !== PROXY_PATH) {
        throw new Error(`the client opened ${address}, not the platform path ${PROXY_PATH}`);
      }
      super(`${url}?model=${encodeURIComponent(model)}`, protocols, {
        headers: { Authorization: `Bearer ${apiKey}` },
      });
      this.addEventListener("message", (event) => {
        heard.push(JSON.parse(event.data));
        onEvent();
      });
    }
  };
}

function deltaBytes(events) {
  return events
    .filter((e) => e.type === "response.audio.delta")
    .reduce((sum, e) => sum + Buffer.from(e.delta, "base64").length, 0);
}

async function run(url, apiKey, model) {
  const heard = [];
  const errors = [];
  let chunks = [];
  let finished;
  const done = new Promise((resolve) => {
    finished = resolve;
  });
  // Done when the client has its audio (response.audio.done) and the server has answered the
  // commit (input_text_buffer.committed or an error), or at the first error.
  const answered = () =>
    heard.some((e) => e.type === "input_text_buffer.committed" || e.type === "error");
  const settle = () => {
    if (errors.length || heard.some((e) => e.type === "error")) finished();
    else if (tts.isResponseDone() && answered()) finished();
  };
  globalThis.WebSocket = proxiedWebSocket(url, apiKey, model, heard, () => settle());
  const tts = createTTSClient({})({
    autoPlay: false,
    onAudioChunk(all) {
      chunks = all;
      settle();
    },
    onError(error) {
      errors.push(error.message);
      settle();
    },
  });
  const timer = setTimeout(() => finished(), TIMEOUT_MS);
  try {
    await tts.connect();
    await tts.speak(TEXT);
    await done;
  } finally {
    clearTimeout(timer);
    tts.close();
  }
  const kinds = heard.map((e) => e.type);
  const serverErrors = heard.filter((e) => e.type === "error").map((e) => JSON.stringify(e.error));
  if (errors.length || serverErrors.length) {
    throw new Error(`errors: client ${JSON.stringify(errors)}, server ${serverErrors}`);
  }
  if (!tts.isResponseDone() || !answered()) {
    throw new Error(`no answered commit and audio within ${TIMEOUT_MS / 1000} s; events: ${kinds}`);
  }
  const collected = chunks.reduce((sum, c) => sum + Buffer.from(c, "base64").length, 0);
  const sent = deltaBytes(heard.slice(0, kinds.indexOf("response.audio.done")));
  if (collected === 0 || collected !== sent) {
    throw new Error(`the client collected ${collected} bytes of the ${sent} the server sent`);
  }
  const session = heard.find((e) => e.type === "session.updated").session;
  return (
    `@amaster.ai/tts-client ok: model=${session.model} voice=${session.voice} ` +
    `mode=${session.mode} events=${kinds.length} audio_bytes=${collected} ` +
    `seconds=${(collected / 2 / session.sample_rate).toFixed(2)}`
  );
}

if (!args.url || !args["api-key"]) {
  console.error("usage: node harness.mjs --url WS_URL --api-key KEY [--model ID]");
  process.exit(2);
}
try {
  console.log(await run(args.url, args["api-key"], args.model));
  process.exit(0);
} catch (error) {
  console.error(`@amaster.ai/tts-client failed: ${error.message}`);
  process.exit(1);
}
