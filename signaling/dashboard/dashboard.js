// Etäpiste operator dashboard: renders live snapshots from /dashboard/events (server-sent
// events). No external code, no network fetches beyond this origin. Text goes in through
// textContent only, never as HTML.
"use strict";

(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  let snap = null;
  let offset = 0; // server clock minus local clock, in seconds

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") el.className = v; else el.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }
  const serverNow = () => Date.now() / 1000 + offset;

  function duration(s) {
    if (s === null || s === undefined) return "–";
    s = Math.max(0, Math.round(s));
    if (s < 60) return s + " s";
    const m = Math.floor(s / 60);
    if (m < 60) return m + " min " + String(s % 60).padStart(2, "0") + " s";
    const hrs = Math.floor(m / 60);
    if (hrs < 48) return hrs + " h " + (m % 60) + " min";
    return Math.floor(hrs / 24) + " d";
  }
  // An element whose text is the age of a server timestamp, refreshed every second.
  const age = (ts, suffix) => ts ? h("span", { "data-since": ts, "data-suffix": suffix || "" }, "") : "–";
  function tickAges() {
    const now = serverNow();
    for (const el of document.querySelectorAll("[data-since]")) {
      el.textContent = duration(now - Number(el.dataset.since)) + el.dataset.suffix;
    }
  }
  const badge = (value, text) => value ? h("span", { class: "badge " + value }, text || value.replace("_", " ")) : "–";
  const pct = (v) => (v === null || v === undefined) ? "–" : Math.round(v) + " %";
  const clock = (ts) => new Date(ts * 1000).toLocaleString("fi-FI", { timeZone: "Europe/Helsinki", dateStyle: "short", timeStyle: "medium" });

  const STATE_TEXT = { online: "online", offline: "OFFLINE", never_seen: "never connected" };

  function renderKiosks(root) {
    const byRegion = new Map();
    for (const k of snap.kiosks) {
      if (!byRegion.has(k.region)) byRegion.set(k.region, []);
      byRegion.get(k.region).push(k);
    }
    const parts = [];
    if (!snap.kiosks.length) parts.push(h("p", { class: "muted" }, "No kiosks provisioned yet (Admin → Provision a kiosk)."));
    for (const [region, kiosks] of byRegion) {
      const offline = kiosks.filter((k) => k.state === "offline").length;
      const rows = kiosks.map((k) => h("tr", { class: k.state + (k.state === "online" && [k.camera, k.microphone, k.speaker].some((d) => d && d !== "ok") ? " fault" : ""), "data-kiosk": k.id },
        h("td", {}, k.site),
        h("td", {}, k.name),
        h("td", { class: "state" }, badge(k.state, STATE_TEXT[k.state]), k.connected ? "" : h("small", {}, " disconnected")),
        h("td", { class: "num" }, age(k.heartbeat_at, " ago")),
        // Figures of an offline kiosk are its last report: shown, but greyed as stale.
        ...[k.camera, k.microphone, k.speaker].map((d) => h("td", { class: k.state === "online" ? "" : "stale" }, badge(d))),
        ...[k.cpu, k.memory, k.disk].map((v) => h("td", { class: "num" + (k.state === "online" ? "" : " stale") }, pct(v))),
        h("td", {}, k.app_version || "–"),
        h("td", {}, badge(k.last_quality)),
        h("td", {}, k.activity || "")));
      parts.push(h("section", { class: "region" },
        h("h2", {}, region + " ", h("small", {}, kiosks.length + (kiosks.length === 1 ? " kiosk" : " kiosks") + (offline ? ", " + offline + " offline" : ""))),
        h("table", { class: "grid kiosks" },
          h("thead", {}, h("tr", {}, ["Site", "Kiosk", "Status", "Last heartbeat", "Camera", "Microphone", "Speaker", "CPU", "Memory", "Disk", "Version", "Last call", "Now"].map((t) => h("th", {}, t)))),
          h("tbody", {}, rows))));
    }
    parts.push(h("p", { class: "muted" }, "A kiosk is shown offline when it misses " +
      "two health reports (" + snap.settings.offline_after_s + " s without one). " +
      "Greyed figures of an offline kiosk are from its last report."));
    root.replaceChildren(...parts);
  }

  async function acknowledge(id, button) {
    button.disabled = true;
    const r = await fetch("/dashboard/alerts/" + id + "/ack", { method: "POST", headers: { "X-CSRF-Token": csrf }, credentials: "same-origin" });
    if (!r.ok && r.status !== 409) { button.disabled = false; alert("Could not acknowledge (" + r.status + ")"); }
  }

  function renderAlerts(root) {
    const open = snap.alerts.filter((a) => !a.cleared_at);
    const cleared = snap.alerts.filter((a) => a.cleared_at);
    const item = (a) => h("div", { class: "alert" + (a.cleared_at ? " cleared" : "") + (a.acknowledged_at ? " acked" : ""), "data-alert": a.id, "data-kind": a.kind },
      h("span", { class: "text" }, a.text),
      h("span", { class: "when" }, "raised " + clock(a.raised_at), " (", age(a.raised_at, " ago"), ")"),
      a.cleared_at ? h("span", { class: "when" }, "cleared " + clock(a.cleared_at)) : null,
      a.acknowledged_at
        ? h("span", { class: "when ack" }, "acknowledged by " + a.acknowledged_by)
        : (() => { const b = h("button", { class: "ack", type: "button" }, "Acknowledge"); b.addEventListener("click", () => acknowledge(a.id, b)); return b; })());
    root.replaceChildren(
      h("h2", {}, "Active (" + open.length + ")"),
      h("div", { class: "alert-list", id: "alerts-open" }, open.length ? open.map(item) : h("p", { class: "muted" }, "No active alerts.")),
      h("h2", {}, "Cleared in the last 24 h (" + cleared.length + ")"),
      h("div", { class: "alert-list" }, cleared.length ? cleared.map(item) : h("p", { class: "muted" }, "None.")));
  }

  function renderQueues(root) {
    const t = snap.settings.service_level_threshold_s;
    const rows = snap.queues.map((q) => h("tr", { class: q.waiting && !q.ready_agents ? "unserved" : "" },
      h("td", { class: "service" }, q.service, h("small", {}, q.service_id)), h("td", {}, q.language),
      h("td", { class: "num" }, q.waiting),
      h("td", { class: "num" }, q.longest_wait_since ? age(q.longest_wait_since) : "–"),
      h("td", { class: "num" }, q.ready_agents + " / " + q.staffed_agents),
      h("td", { class: "num" }, q.answered), h("td", { class: "num" }, q.abandoned),
      h("td", { class: "num" }, q.service_level === null ? "–" : Math.round(q.service_level * 100) + " %"),
      h("td", { class: "num" }, duration(q.average_answer_s)),
      h("td", { class: "num" }, duration(q.average_handle_s))));
    const sum = (f) => snap.queues.reduce((n, q) => n + (q[f] || 0), 0);
    const answered = sum("answered");
    const within = snap.queues.reduce((n, q) => n + (q.service_level === null ? 0 : q.service_level * q.answered), 0);
    const oldest = Math.min(...snap.queues.map((q) => q.longest_wait_since || Infinity));
    const kpi = (value, label) => h("div", { class: "kpi" }, h("b", {}, value), h("span", {}, label));
    root.replaceChildren(h("div", { class: "kpis" },
      kpi(String(sum("waiting")), "waiting now"),
      kpi(oldest === Infinity ? "–" : age(oldest), "longest wait now"),
      kpi(String(answered), "answered today"),
      kpi(String(sum("abandoned")), "abandoned today"),
      kpi(answered ? Math.round(within / answered * 100) + " %" : "–", "answered within " + t + " s")),
      h("table", { class: "grid queues" },
      h("thead", {}, h("tr", {}, ["Service", "Language", "Waiting", "Longest wait", "Agents ready / logged in", "Answered today", "Abandoned today", "Service level today (≤ " + t + " s)", "Avg speed of answer", "Avg handle time"].map((x) => h("th", {}, x)))),
      h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: 10, class: "muted" }, "No queues active and no calls today.")))));
  }

  function renderAgents(root) {
    const rows = snap.agents.map((a) => h("tr", {},
      h("td", {}, a.name), h("td", {}, badge(a.state), a.reason ? h("small", {}, " " + a.reason) : ""),
      h("td", { class: "num" }, age(a.since)),
      h("td", {}, a.connected ? "yes" : h("span", { class: "badge bad" }, "disconnected")),
      h("td", {}, a.skills.join(", ")), h("td", {}, a.languages.join(", "))));
    root.replaceChildren(h("table", { class: "grid agents" },
      h("thead", {}, h("tr", {}, ["Agent", "State", "Time in state", "Connected", "Services", "Languages"].map((x) => h("th", {}, x)))),
      h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: 6, class: "muted" }, "No agents logged in.")))));
  }

  function renderSummary(root) {
    const c = (s) => snap.kiosks.filter((k) => k.state === s).length;
    const openAlerts = snap.alerts.filter((a) => !a.cleared_at && !a.acknowledged_at).length;
    const waiting = snap.queues.reduce((n, q) => n + q.waiting, 0);
    root.replaceChildren(
      h("span", { class: "pill" }, c("online") + " online"),
      h("span", { class: "pill" + (c("offline") ? " bad" : "") }, c("offline") + " offline"),
      h("span", { class: "pill" + (openAlerts ? " bad" : ""), id: "unacked" }, openAlerts + " unacknowledged alerts"),
      h("span", { class: "pill" }, waiting + " waiting"));
  }

  function render() {
    const parts = { kiosks: renderKiosks, alerts: renderAlerts, queues: renderQueues, agents: renderAgents, summary: renderSummary };
    for (const [id, fn] of Object.entries(parts)) {
      const el = document.getElementById(id);
      if (el) fn(el);
    }
    tickAges();
  }

  function connect() {
    const state = document.getElementById("live-state");
    const source = new EventSource("/dashboard/events");
    source.addEventListener("snapshot", (ev) => {
      snap = JSON.parse(ev.data);
      offset = snap.server_time - Date.now() / 1000;
      state.textContent = "live"; state.className = "live-state on";
      render();
    });
    source.addEventListener("logout", () => { source.close(); location.href = "/dashboard/login"; });
    source.onerror = () => { state.textContent = "reconnecting…"; state.className = "live-state off"; };
  }

  for (const form of document.querySelectorAll("form.confirm")) {
    form.addEventListener("submit", (ev) => { if (!confirm(form.dataset.confirm)) ev.preventDefault(); });
  }
  connect();
  setInterval(tickAges, 1000);
})();
