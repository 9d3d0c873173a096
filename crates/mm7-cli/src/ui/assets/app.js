// The mm7 inbox. Everything from a message is untrusted: the DOM is built with
// createElement and textContent only, never innerHTML.
"use strict";

const api = "/api/v1";
let selected = null;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    node.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return node;
}

function text(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") {
    return Object.entries(value)
      .filter(([k]) => k !== "normalized")
      .map(([k, v]) => (Array.isArray(v) ? v.map(text).join(", ") : k + ": " + text(v)))
      .join(", ");
  }
  return String(value);
}

async function getJson(path) {
  const r = await fetch(api + path, { credentials: "same-origin" });
  if (!r.ok) throw new Error("HTTP " + r.status);
  return r.json();
}

function filters() {
  const p = new URLSearchParams();
  const q = document.getElementById("q").value.trim();
  const op = document.getElementById("operation").value;
  if (q) p.set("q", q);
  if (op) p.set("operation", op);
  return p.toString();
}

async function refreshList() {
  const messages = await getJson("/messages?" + filters());
  const list = document.getElementById("list");
  const details = await Promise.all(messages.map((m) => getJson("/messages/" + m.id).catch(() => null)));
  list.replaceChildren(
    ...messages.map((m, i) => {
      const body = details[i] && details[i].view && details[i].view.body ? details[i].view.body : {};
      const li = el(
        "li",
        { "data-id": String(m.id), onclick: () => openMessage(m.id) },
        el("span", { class: "when" }, m.received_at.replace("T", " ").slice(0, 19)),
        el("div", { class: "op" }, m.operation + " · " + (m.message_id || m.transaction_id)),
        el("div", { class: "subject" }, body.Subject !== undefined ? text(body.Subject) : "(no subject)")
      );
      if (m.id === selected) li.classList.add("selected");
      return li;
    })
  );
  document.getElementById("empty").hidden = messages.length > 0;
}

function partUrl(id, position, download) {
  return api + "/messages/" + id + "/parts/" + position + (download ? "?download=1" : "");
}

function findPart(parts, src) {
  if (!src) return null;
  let s = src.trim();
  if (s.toLowerCase().startsWith("cid:")) s = s.slice(4);
  const bare = (x) => (x || "").replace(/^<|>$/g, "");
  return (
    parts.find((p) => bare(p.content_id) === s) ||
    parts.find((p) => p.file_name === s || p.file_name.endsWith("-" + s)) ||
    null
  );
}

function media(id, part, kind) {
  const type = part.content_type.toLowerCase();
  if (kind === "img" || type.startsWith("image/")) {
    if (/svg|xml/.test(type)) return el("a", { href: partUrl(id, part.position, true) }, "download " + part.file_name);
    return el("img", { src: partUrl(id, part.position), alt: part.file_name });
  }
  if (kind === "audio" || type.startsWith("audio/")) return el("audio", { controls: "", src: partUrl(id, part.position) });
  if (kind === "video" || type.startsWith("video/")) return el("video", { controls: "", src: partUrl(id, part.position) });
  if (type.startsWith("text/plain") || kind === "text") {
    const div = el("div", { class: "text" }, "…");
    fetch(partUrl(id, part.position)).then((r) => r.text()).then((t) => { div.textContent = t; });
    return div;
  }
  return el("a", { href: partUrl(id, part.position, true) }, "download " + part.file_name);
}

async function slides(id, parts) {
  const smilPart = parts.find((p) => /smil/i.test(p.content_type));
  const phone = el("div", { class: "phone" });
  if (!smilPart) {
    parts.forEach((p, i) => phone.append(el("div", { class: "slide", "data-slide": String(i) }, media(id, p))));
    return phone;
  }
  const source = await (await fetch(partUrl(id, smilPart.position, true))).text();
  const doc = new DOMParser().parseFromString(source, "application/xml");
  const pars = Array.from(doc.getElementsByTagName("par"));
  pars.forEach((par, i) => {
    const slide = el("div", { class: "slide", "data-slide": String(i) });
    const dur = par.getAttribute("dur");
    slide.append(el("div", { class: "dur" }, "slide " + (i + 1) + (dur ? " · " + dur : "")));
    for (const child of Array.from(par.children)) {
      const kind = child.localName;
      const part = findPart(parts, child.getAttribute("src"));
      if (!part || !["img", "text", "audio", "video", "ref"].includes(kind)) continue;
      slide.append(media(id, part, kind));
    }
    phone.append(slide);
  });
  return phone;
}

async function action(id, kind, body) {
  const status = document.getElementById("action-status");
  status.textContent = "sending…";
  const r = await fetch(api + "/messages/" + id + "/actions/" + kind, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = await r.json().catch(() => ({}));
  status.textContent = r.ok
    ? "queued: " + answer.operation + " (outbox row " + (answer.outbox || []).join(", ") + ")"
    : "failed: " + (answer.error || r.status);
}

// The bytes of a chosen file in base64, for the JSON of an MO reply.
function fileBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ""));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

async function moReply(id, textInput, fileInput) {
  const body = { text: textInput.value };
  const file = fileInput.files && fileInput.files[0];
  if (file) {
    body.attachment = {
      content_type: file.type || "application/octet-stream",
      file_name: file.name,
      data: await fileBase64(file),
    };
  }
  await action(id, "mo-reply", body);
}

async function openMessage(id) {
  selected = id;
  for (const li of document.querySelectorAll("#list li")) li.classList.toggle("selected", li.dataset.id === String(id));
  const pane = document.getElementById("detail-pane");
  const m = await getJson("/messages/" + id);
  const body = (m.view && m.view.body) || {};
  const rows = [
    ["Operation", m.summary.operation],
    ["TransactionID", m.summary.transaction_id],
    ["MessageID", m.summary.message_id || body.MessageID],
    ["From", body.SenderIdentification ? body.SenderIdentification.SenderAddress : body.Sender],
    ["To", body.Recipients || body.Recipient],
    ["Class", body.MessageClass],
    ["Priority", body.Priority],
    ["Delivery report asked", body.DeliveryReport],
    ["Status", body.MMStatus],
    ["Received", m.summary.received_at],
    ["Peer", m.summary.peer],
  ];
  const headers = el("table", { class: "headers" });
  for (const [k, v] of rows) {
    if (v === undefined || v === null) continue;
    headers.append(el("tr", {}, el("th", {}, k), el("td", {}, text(v))));
  }
  const warnings = el("ul", { class: "warnings" }, ...((m.view && m.view.warnings) || []).map((w) => el("li", {}, text(w))));
  const timeline = el(
    "ul",
    { class: "timeline" },
    el("li", {}, m.summary.received_at + " received"),
    ...m.summary.outbox.map((o) => el("li", {}, o.kind + ": " + o.state + " after " + o.tries + " tr" + (o.tries === 1 ? "y" : "ies")))
  );
  const downloads = el(
    "ul",
    {},
    ...m.parts.map((p) =>
      el("li", {}, el("a", { href: partUrl(id, p.position, true) }, p.file_name), " " + p.content_type + ", " + p.size + " bytes")
    ),
    el("li", {}, el("a", { href: api + "/messages/" + id + "/raw" }, "request.http"), " (raw request)")
  );
  const status = el("select", { id: "report-status" }, ...["Retrieved", "Forwarded", "Rejected", "Expired", "Deferred", "Indeterminate"].map((s) => el("option", {}, s)));
  const moText = el("input", { type: "text", id: "mo-text", placeholder: "reply text", "aria-label": "MO reply text" });
  const moFile = el("input", { type: "file", id: "mo-file", "aria-label": "MO reply attachment" });
  const actions = el(
    "div",
    { class: "actions" },
    status,
    el("button", { type: "button", id: "deliver-report", onclick: () => action(id, "delivery-report", { status: status.value }) }, "Deliver report"),
    el("button", { type: "button", id: "read-reply", onclick: () => action(id, "read-reply", { status: "Read" }) }, "Read reply"),
    ...(m.summary.operation === "SubmitReq" ? [moText, moFile, el("button", { type: "button", id: "mo-reply", onclick: () => moReply(id, moText, moFile) }, "Reply (MO)")] : []),
    el("button", { type: "button", class: "danger", onclick: async () => { await fetch(api + "/messages/" + id, { method: "DELETE" }); pane.replaceChildren(); refreshList(); } }, "Delete"),
    el("span", { id: "action-status", class: "status" })
  );
  const raw = el("pre", { class: "raw" }, "…");
  fetch(api + "/messages/" + id + "/raw").then((r) => r.text()).then((t) => { raw.textContent = t.slice(0, 200000); });
  pane.replaceChildren(
    el("h2", { class: "subject", id: "subject" }, body.Subject !== undefined ? text(body.Subject) : "(no subject)"),
    headers,
    actions,
    await slides(id, m.parts),
    el("h3", {}, "Status"), timeline,
    el("h3", {}, "Warnings"), warnings,
    el("h3", {}, "Parts"), downloads,
    el("h3", {}, "Raw request"), raw
  );
}

function live() {
  const badge = document.getElementById("live");
  const source = new EventSource(api + "/events");
  source.addEventListener("change", () => { badge.textContent = "live"; refreshList(); });
  source.onerror = () => { badge.textContent = "reconnecting…"; };
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("search").addEventListener("submit", (e) => { e.preventDefault(); refreshList(); });
  document.getElementById("delete-all").addEventListener("click", async () => {
    if (!confirm("Delete every message?")) return;
    await fetch(api + "/messages", { method: "DELETE" });
    document.getElementById("detail-pane").replaceChildren();
    refreshList();
  });
  refreshList();
  live();
});
