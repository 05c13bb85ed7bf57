// Etäpiste operator dashboard: renders live snapshots from /dashboard/events (server-sent
// events). No external code, no network fetches beyond this origin. Text goes in through
// textContent only, never as HTML. Every word comes from the page's catalogue block
// (#texts, the operator's language); dates and times are Finnish time whatever the
// browser's zone, written by the catalogue's time.* templates as the server writes them.
"use strict";

(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const TEXTS = JSON.parse(document.getElementById("texts").textContent);
  const LANG = document.documentElement.lang;
  const LANGUAGES = ["fi", "sv", "en"];
  let snap = null;
  let offset = 0; // server clock minus local clock, in seconds

  // A catalogue text with {fields} filled; an unknown key shows as itself.
  function t(key, fields) {
    const text = TEXTS[key];
    if (text === undefined) return key;
    return fields ? text.replace(/\{(\w+)\}/g, (m, k) => (k in fields ? String(fields[k]) : m)) : text;
  }
  // A code's label from a catalogue section (state.offline), else the code itself.
  const label = (section, code) => code ? (TEXTS[section + "." + code] ?? String(code).replace(/_/g, " ")) : "";
  // An official name in the operator's language from {fi, sv, en}.
  const name = (names, fallback) => (names && (names[LANG] || names.fi)) || fallback || "";

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
    if (s === null || s === undefined) return t("time.none");
    s = Math.max(0, Math.round(s));
    if (s < 60) return t("time.seconds", { s });
    const m = Math.floor(s / 60);
    if (m < 60) return t("time.minutes", { m, ss: String(s % 60).padStart(2, "0") });
    const hrs = Math.floor(m / 60);
    if (hrs < 48) return t("time.hours", { h: hrs, m: m % 60 });
    return t("time.days", { d: Math.floor(hrs / 24) });
  }
  // An element whose text is the age of a server timestamp ("5 min 03 s ago" when ago),
  // refreshed every second.
  const age = (ts, ago) => ts ? h("span", { "data-since": ts, "data-ago": ago ? "1" : "" }, "") : t("time.none");
  function tickAges() {
    const now = serverNow();
    for (const el of document.querySelectorAll("[data-since]")) {
      const text = duration(now - Number(el.dataset.since));
      el.textContent = el.dataset.ago ? t("time.ago", { age: text }) : text;
    }
  }
  const badge = (section, value) => value ? h("span", { class: "badge " + value }, label(section, value)) : t("time.none");
  const pct = (v) => (v === null || v === undefined) ? t("time.none") : t("number.percent", { value: Math.round(v) });
  // Epoch seconds as a Finnish-time date and time, in the catalogue's words.
  const HELSINKI = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/Helsinki", year: "numeric", month: "numeric", day: "numeric",
    hour: "numeric", minute: "2-digit", hourCycle: "h23",
  });
  function clock(ts) {
    const p = {};
    for (const part of HELSINKI.formatToParts(new Date(ts * 1000))) p[part.type] = part.value;
    return t("time.datetime", {
      day: Number(p.day), month: Number(p.month), year: p.year, hour: Number(p.hour),
      minute: String(p.minute).padStart(2, "0"),
    });
  }

  function renderKiosks(root) {
    const byRegion = new Map();
    for (const k of snap.kiosks) {
      if (!byRegion.has(k.region)) byRegion.set(k.region, []);
      byRegion.get(k.region).push(k);
    }
    const parts = [];
    if (!snap.kiosks.length) parts.push(h("p", { class: "muted" }, t("kiosks.none")));
    for (const [region, kiosks] of byRegion) {
      const offline = kiosks.filter((k) => k.state === "offline").length;
      const rows = kiosks.map((k) => h("tr", { class: k.state + (k.state === "online" && [k.camera, k.microphone, k.speaker].some((d) => d && d !== "ok") ? " fault" : ""), "data-kiosk": k.id },
        h("td", {}, name(k.site, k.site_id)),
        h("td", { class: "name" }, k.name),
        // Reporting in time but its connection just dropped: worth a word (offline says it all).
        h("td", { class: "state" }, badge("state", k.state), k.state === "online" && !k.connected ? h("small", {}, " " + t("kiosks.disconnected")) : ""),
        h("td", { class: "num" }, age(k.heartbeat_at, true)),
        // Figures of an offline kiosk are its last report: shown, but greyed as stale.
        ...[k.camera, k.microphone, k.speaker].map((d) => h("td", { class: k.state === "online" ? "" : "stale" }, badge("device", d))),
        ...[k.cpu, k.memory, k.disk].map((v) => h("td", { class: "num" + (k.state === "online" ? "" : " stale") }, pct(v))),
        h("td", {}, k.app_version || t("time.none")),
        h("td", {}, badge("quality", k.last_quality)),
        h("td", {}, k.activity ? t("kiosks." + k.activity) : "")));
      const count = t("kiosks.count", { count: kiosks.length }) + (offline ? ", " + t("kiosks.offline_count", { count: offline }) : "");
      const heads = ["site", "kiosk", "state", "heartbeat", "camera", "microphone", "speaker", "cpu", "memory", "disk", "version", "last_call", "now"];
      parts.push(h("section", { class: "region" },
        h("h2", {}, region + " ", h("small", {}, count)),
        h("table", { class: "grid kiosks" },
          h("thead", {}, h("tr", {}, heads.map((k) => h("th", {}, t("kiosks." + k))))),
          h("tbody", {}, rows))));
    }
    parts.push(h("p", { class: "muted" }, t("kiosks.note", { seconds: snap.settings.offline_after_s })));
    root.replaceChildren(...parts);
  }

  async function acknowledge(id, button) {
    button.disabled = true;
    const r = await fetch("/dashboard/alerts/" + id + "/ack", { method: "POST", headers: { "X-CSRF-Token": csrf }, credentials: "same-origin" });
    if (!r.ok && r.status !== 409) { button.disabled = false; alert(t("alerts.ack_failed", { status: r.status })); }
  }

  function renderAlerts(root) {
    const open = snap.alerts.filter((a) => !a.cleared_at);
    const cleared = snap.alerts.filter((a) => a.cleared_at);
    const item = (a) => h("div", { class: "alert" + (a.cleared_at ? " cleared" : "") + (a.acknowledged_at ? " acked" : ""), "data-alert": a.id, "data-kind": a.kind },
      h("span", { class: "text" }, name(a.text, a.kind)),
      h("span", { class: "when" }, t("alerts.raised", { when: clock(a.raised_at) }), " (", age(a.raised_at, true), ")"),
      a.cleared_at ? h("span", { class: "when" }, t("alerts.cleared_at", { when: clock(a.cleared_at) })) : null,
      a.acknowledged_at
        ? h("span", { class: "when ack" }, t("alerts.acknowledged_by", { name: a.acknowledged_by }))
        : (() => { const b = h("button", { class: "ack", type: "button" }, t("alerts.acknowledge")); b.addEventListener("click", () => acknowledge(a.id, b)); return b; })());
    root.replaceChildren(
      h("h2", {}, t("alerts.active", { count: open.length })),
      h("div", { class: "alert-list", id: "alerts-open" }, open.length ? open.map(item) : h("p", { class: "muted" }, t("alerts.none_active"))),
      h("h2", {}, t("alerts.cleared", { count: cleared.length })),
      h("div", { class: "alert-list" }, cleared.length ? cleared.map(item) : h("p", { class: "muted" }, t("alerts.none_cleared"))));
  }

  function renderQueues(root) {
    const threshold = snap.settings.service_level_threshold_s;
    const rows = snap.queues.map((q) => h("tr", { class: q.unserved ? "unserved" : "", "data-queue": q.service_id + "/" + q.language },
      h("td", { class: "service" }, name(q.service, q.service_id), h("small", {}, name(q.agency, "") + " · " + q.service_id)),
      h("td", {}, t("language." + q.language), q.unserved ? h("span", { class: "badge bad" }, t("queues.unserved")) : null),
      h("td", { class: "num" }, q.waiting),
      h("td", { class: "num" }, q.longest_wait_since ? age(q.longest_wait_since) : "–"),
      h("td", { class: "num" }, q.ready_agents + " / " + q.staffed_agents),
      h("td", { class: "num" }, q.answered), h("td", { class: "num" }, q.abandoned),
      h("td", { class: "num" }, q.service_level === null ? t("time.none") : pct(q.service_level * 100)),
      h("td", { class: "num" }, duration(q.average_answer_s)),
      h("td", { class: "num" }, duration(q.average_handle_s))));
    const sum = (f) => snap.queues.reduce((n, q) => n + (q[f] || 0), 0);
    const answered = sum("answered");
    const within = snap.queues.reduce((n, q) => n + (q.service_level === null ? 0 : q.service_level * q.answered), 0);
    const oldest = Math.min(...snap.queues.map((q) => q.longest_wait_since || Infinity));
    const kpi = (value, label) => h("div", { class: "kpi" }, h("b", {}, value), h("span", {}, label));
    root.replaceChildren(h("div", { class: "kpis" },
      kpi(String(sum("waiting")), t("queues.waiting_now")),
      kpi(oldest === Infinity ? t("time.none") : age(oldest), t("queues.longest_now")),
      kpi(String(answered), t("queues.answered_today")),
      kpi(String(sum("abandoned")), t("queues.abandoned_today")),
      kpi(answered ? pct(within / answered * 100) : t("time.none"), t("queues.answered_within", { seconds: threshold }))),
      h("table", { class: "grid queues" },
      h("thead", {}, h("tr", {}, ["service", "language", "waiting", "longest", "ready", "answered", "abandoned", "level", "speed", "handle"].map((x) => h("th", {}, t("queues." + x, { seconds: threshold }))))),
      h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: 10, class: "muted" }, t("queues.none"))))));
  }

  function renderAgents(root) {
    const rows = snap.agents.map((a) => h("tr", {},
      h("td", {}, a.name), h("td", {}, badge("agent_state", a.state), a.reason ? h("small", {}, " " + label("reason", a.reason)) : ""),
      h("td", { class: "num" }, age(a.since)),
      h("td", {}, a.connected ? t("agents.yes") : h("span", { class: "badge bad" }, t("agents.disconnected"))),
      h("td", {}, a.skills.join(", ")), h("td", {}, LANGUAGES.filter((l) => a.languages.includes(l)).map((l) => t("language." + l)).join(", "))));
    root.replaceChildren(h("table", { class: "grid agents" },
      h("thead", {}, h("tr", {}, ["agent", "state", "since", "connected", "services", "languages"].map((x) => h("th", {}, t("agents." + x))))),
      h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: 6, class: "muted" }, t("agents.none"))))));
  }

  function renderSummary(root) {
    const c = (s) => snap.kiosks.filter((k) => k.state === s).length;
    const openAlerts = snap.alerts.filter((a) => !a.cleared_at && !a.acknowledged_at).length;
    const waiting = snap.queues.reduce((n, q) => n + q.waiting, 0);
    root.replaceChildren(
      h("span", { class: "pill" }, t("top.online", { count: c("online") })),
      h("span", { class: "pill" + (c("offline") ? " bad" : "") }, t("top.offline", { count: c("offline") })),
      h("span", { class: "pill" + (openAlerts ? " bad" : ""), id: "unacked" }, t("top.unacked", { count: openAlerts })),
      h("span", { class: "pill" }, t("top.waiting", { count: waiting })));
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
      state.textContent = t("top.live"); state.className = "live-state on";
      render();
    });
    source.addEventListener("logout", () => { source.close(); location.href = "/dashboard/login"; });
    source.onerror = () => { state.textContent = t("top.reconnecting"); state.className = "live-state off"; };
  }

  for (const form of document.querySelectorAll("form.confirm")) {
    form.addEventListener("submit", (ev) => { if (!confirm(form.dataset.confirm)) ev.preventDefault(); });
  }
  connect();
  setInterval(tickAges, 1000);
})();
