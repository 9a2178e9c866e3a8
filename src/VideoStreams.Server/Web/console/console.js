// The web console: lists streams and plays one with hls.js through the same KVS API any client uses
// (ListStreams, then GetHLSStreamingSessionURL; the session URL carries its own token, so the player needs no header).
"use strict";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
let hls = null;
let current = params.get("stream");

async function kvs(path, body) {
  const response = await fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) {
    const type = response.headers.get("x-amzn-ErrorType") || `HTTP ${response.status}`;
    throw new Error(`${type.split(":")[0]}: ${json.Message || json.message || "request failed"}`);
  }
  return json;
}

function status(text, isError) {
  $("status").textContent = text;
  $("status").className = isError ? "error" : "muted";
}

async function listStreams() {
  const names = [];
  let token;
  do {
    const page = await kvs("/listStreams", token ? { NextToken: token } : {});
    for (const s of page.StreamInfoList || []) names.push(s.StreamName);
    token = page.NextToken;
  } while (token);
  const list = $("streams");
  list.replaceChildren();
  if (names.length === 0) {
    list.innerHTML = '<li class="muted">no streams yet</li>';
  }
  for (const name of names.sort()) {
    const link = document.createElement("a");
    link.href = `?stream=${encodeURIComponent(name)}`;
    link.textContent = name;
    link.className = name === current ? "current" : "";
    link.onclick = (e) => { e.preventDefault(); select(name); };
    const item = document.createElement("li");
    item.append(link);
    list.append(item);
  }
}

// Producer timestamps: the camera's own clock gives a continuous timeline (no discontinuity between fragments), as
// KVS's default for that selector; the range is "the last N minutes" of it. LIVE asks for our low-latency extension:
// parts of ~200 ms straight from the live ingest (see docs/PLAYBACK.md, "Low-latency HLS").
async function sessionUrl(stream, mode) {
  const request = { StreamName: stream, DisplayFragmentTimestamp: "ALWAYS", Expires: 43200 };
  if (mode === "live") {
    request.PlaybackMode = "LIVE";
    request.LowLatency = true;
    request.HLSFragmentSelector = { FragmentSelectorType: "PRODUCER_TIMESTAMP" };
  } else {
    const end = Date.now() / 1000;
    request.PlaybackMode = "ON_DEMAND";
    request.HLSFragmentSelector = {
      FragmentSelectorType: "PRODUCER_TIMESTAMP",
      TimestampRange: { StartTimestamp: end - Number(mode) * 60, EndTimestamp: end },
    };
  }
  return (await kvs("/getHLSStreamingSessionURL", request)).HLSStreamingSessionURL;
}

async function select(stream) {
  current = stream;
  history.replaceState(null, "", `?stream=${encodeURIComponent(stream)}`);
  for (const a of document.querySelectorAll("nav a")) a.className = a.textContent === stream ? "current" : "";
  $("title").textContent = stream;
  if (hls) { hls.destroy(); hls = null; }
  const video = $("video");
  const mode = $("mode").value;
  try {
    status("Opening an HLS session…");
    const url = await sessionUrl(stream, mode);
    if (!window.Hls || !Hls.isSupported()) {
      video.src = url; // Safari plays HLS natively.
    } else {
      // Low-latency mode: blocking playlist reloads and parts, playing PART-HOLD-BACK behind the live edge (no
      // liveSyncDuration/Count here: either would replace PART-HOLD-BACK as hls.js's target), and playing up to 1.5x
      // to get back there after a stall (hls.js's default, 1, never catches up).
      hls = new Hls(mode === "live" ? { lowLatencyMode: true, maxLiveSyncPlaybackRate: 1.5 } : { lowLatencyMode: false });
      hls.on(Hls.Events.ERROR, (_, data) => { if (data.fatal) status(`Playback error: ${data.type} ${data.details}`, true); });
      hls.loadSource(url);
      hls.attachMedia(video);
    }
    await video.play().catch(() => {});
    status(mode === "live" ? "Live." : `The last ${mode} minutes.`);
  } catch (e) {
    status(e.message, true);
  }
}

// Under the live picture: how far behind the wall clock the frame on screen is (its program date time).
setInterval(() => {
  if (hls && hls.playingDate && $("mode").value === "live") {
    const behind = (Date.now() - hls.playingDate.getTime()) / 1000;
    status(`Live, ${behind.toFixed(1)} s behind.`);
  }
}, 1000);

$("refresh").onclick = () => listStreams().catch((e) => status(e.message, true));
$("mode").onchange = () => current && select(current);
$("server").textContent = location.host;
listStreams().then(() => current && select(current)).catch((e) => status(e.message, true));
