// The wgrouter web page: a client of the router's REST API (/rest), logged in with the
// router's own users over HTTP Basic. The credentials stay in this tab's sessionStorage;
// nothing is fetched from anywhere but this router (the server's Content-Security-Policy
// enforces it). Buttons appear only for users with the write policy, keys only for users
// with sensitive; the router checks both again on every request.
"use strict";
(() => {
  const POLL_MS = 2000, ONLINE_S = 180, LOG_ROWS = 500, PAGE = 100;
  const $ = (id) => document.getElementById(id);
  const st = {
    auth: sessionStorage.getItem("wg-auth"), user: sessionStorage.getItem("wg-user"),
    canWrite: false, canKeys: false, ifaces: [], peers: [], addrs: [],
    prev: new Map(), rates: new Map(), rows: new Map(), shape: "", pages: new Map(), filter: "", timer: 0, view: "peers", busy: false,
  };

  // ---- the REST client ----
  class ApiError extends Error { constructor(status, msg) { super(msg); this.status = status; } }
  const b64 = (s) => btoa(String.fromCharCode(...new TextEncoder().encode(s)));
  async function api(method, path, body) {
    const headers = { Authorization: "Basic " + st.auth, "X-Requested-With": "wgrouter-web" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const r = await fetch("/rest" + path, { method, headers, cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
    if (r.status === 401 && st.auth) { logout("Session ended: log in again."); }
    if (!r.ok) throw new ApiError(r.status, (data && (data.detail || data.message)) || r.statusText);
    return data;
  }

  // ---- formatting ----
  const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  function bytes(n) {
    n = Number(n) || 0;
    const u = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let i = 0;
    while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return (i ? n.toFixed(n < 10 ? 1 : 0) : n) + " " + u[i];
  }
  function rate(bps) {
    const b = bps * 8, u = ["bps", "kbps", "Mbps", "Gbps"];
    let n = b, i = 0;
    while (n >= 1000 && i < u.length - 1) { n /= 1000; i++; }
    return (i ? n.toFixed(n < 10 ? 1 : 0) : Math.round(n)) + " " + u[i];
  }
  // RouterOS durations: "1h2m3s", "500ms", "2w3d", "never".
  function seconds(d) {
    if (!d || d === "never") return null;
    const m = { w: 604800, d: 86400, h: 3600, m: 60, s: 1, ms: 0.001 };
    let s = 0, any = false;
    for (const [, n, u] of String(d).matchAll(/(\d+)(ms|w|d|h|m|s)/g)) { s += n * m[u]; any = true; }
    if (!any && /^\d+:\d+:\d+$/.test(d)) { const [h, mi, se] = d.split(":").map(Number); return h * 3600 + mi * 60 + se; }
    return any ? s : null;
  }
  function ago(s) {
    if (s === null) return "never";
    if (s < 60) return Math.round(s) + " s ago";
    if (s < 3600) return Math.round(s / 60) + " min ago";
    if (s < 86400) return Math.round(s / 3600) + " h ago";
    return Math.round(s / 86400) + " d ago";
  }
  const on = (v) => v === "true" || v === "yes";

  // ---- login ----
  async function login(user, password) {
    st.auth = b64(user + ":" + password);
    st.user = user;
    try {
      const id = await api("GET", "/system/identity");
      await loadPolicies();
      sessionStorage.setItem("wg-auth", st.auth);
      sessionStorage.setItem("wg-user", st.user);
      $("identity").textContent = id && id.name ? id.name : "wgrouter";
      document.title = $("identity").textContent + " \u2014 wgrouter";
      showApp();
    } catch (e) {
      st.auth = null;
      $("login-error").textContent = e.status === 401 ? "Wrong user name or password." : e.message;
    }
  }
  // The user's group's policies decide which buttons and keys the page shows.
  async function loadPolicies() {
    const users = await api("GET", "/user?name=" + encodeURIComponent(st.user));
    const group = users && users[0] ? users[0].group : "";
    const groups = await api("GET", "/user/group?name=" + encodeURIComponent(group));
    const pol = (groups && groups[0] ? groups[0].policy : "").split(",");
    applyPolicies(pol);
    sessionStorage.setItem("wg-pol", pol.join(","));
  }
  function applyPolicies(pol) {
    st.canWrite = pol.includes("write");
    st.canKeys = pol.includes("sensitive");
    document.body.classList.toggle("readonly", !st.canWrite);
  }
  function logout(msg) {
    sessionStorage.removeItem("wg-auth");
    sessionStorage.removeItem("wg-user");
    sessionStorage.removeItem("wg-pol");
    st.auth = null;
    st.shape = "";
    st.loaded = false;
    clearTimeout(st.timer);
    for (const id of ["tabs", "who", "logout", "view-peers", "view-log"]) $(id).hidden = true;
    $("login").hidden = false;
    $("login-error").textContent = msg || "";
    $("login-password").value = "";
    if ($("dlg").open) $("dlg").close();
  }
  function showApp() {
    $("login").hidden = true;
    for (const id of ["tabs", "who", "logout"]) $(id).hidden = false;
    $("who").textContent = st.user + (st.canWrite ? "" : " (read only)");
    show(st.view);
  }
  function show(view) {
    st.view = view;
    for (const b of document.querySelectorAll(".tab")) b.classList.toggle("on", b.dataset.view === view);
    $("view-peers").hidden = view !== "peers";
    $("view-log").hidden = view !== "log";
    clearTimeout(st.timer);
    if (view === "peers") poll(); else loadLog();
  }

  // ---- interfaces and peers ----
  async function poll() {
    clearTimeout(st.timer);
    try {
      const [ifaces, peers, addrs] = await Promise.all([
        api("GET", "/interface/wireguard"), api("GET", "/interface/wireguard/peers"), api("GET", "/ip/address")]);
      st.ifaces = ifaces; st.peers = peers; st.addrs = addrs; st.loaded = true;
      measure(performance.now() / 1000);
      $("peers-error").textContent = "";
      render();
    } catch (e) {
      if (e.status !== 401) $("peers-error").textContent = "Could not read the router: " + e.message;
    }
    if (st.auth && st.view === "peers") st.timer = setTimeout(poll, POLL_MS);
  }
  // Rates: the difference of the totals between two polls.
  function measure(now) {
    for (const p of st.peers) {
      const rx = Number(p.rx) || 0, tx = Number(p.tx) || 0, old = st.prev.get(p[".id"]);
      if (old && now > old.t && rx >= old.rx && tx >= old.tx)
        st.rates.set(p[".id"], { rx: (rx - old.rx) / (now - old.t), tx: (tx - old.tx) / (now - old.t) });
      else if (!old) st.rates.set(p[".id"], null);
      st.prev.set(p[".id"], { rx, tx, t: now });
    }
  }
  const online = (p) => { const s = seconds(p["last-handshake"]); return s !== null && s < ONLINE_S && !on(p.disabled); };
  // Quota use, an exceeded quota and the rate limit, for routers that have them.
  const set = (v) => v && v !== "no" && v !== "false";
  function quota(p) {
    const lim = ["quota-total", "quota-rx", "quota-tx"].filter((k) => p[k]).map((k) => `${k.slice(6)} ${esc(p[k])}`);
    const parts = [];
    if (lim.length)
      parts.push(`${p["quota-used"] ? bytes(p["quota-used"]) + " of " : ""}${lim.join(", ")}${p["quota-period"] ? " a " + esc(p["quota-period"]) : ""}`);
    if (set(p["quota-exceeded"])) parts.push(`exceeded until ${esc(p["quota-exceeded"])}`);
    if (p["max-rate"]) parts.push(`max ${esc(p["max-rate"])}`);
    return parts.join(" \u00b7 ");
  }
  function peerRow(p) {
    const id = esc(p[".id"]), r = st.rates.get(p[".id"]), hs = seconds(p["last-handshake"]);
    const w = st.canWrite;
    return `<tr data-id="${id}" class="${on(p.disabled) ? "off" : ""}">` +
      `<td data-l="name" class="name">${esc(p.name)}${p.comment ? `<small>${esc(p.comment)}</small>` : ""}</td>` +
      `<td data-l="address">${esc(p["allowed-address"]).replace(/,/g, ", ")}</td>` +
      `<td data-l="enabled"><input type="checkbox" class="switch" aria-label="enabled" ${on(p.disabled) ? "" : "checked"} ${w ? "" : "disabled"}></td>` +
      `<td data-l="status"><span class="dot ${online(p) ? "up" : ""}"></span>${online(p) ? "online" : "offline"} <small>${ago(hs)}</small></td>` +
      `<td data-l="rate" class="num">${r ? `\u2193 ${rate(r.rx)}<br>\u2191 ${rate(r.tx)}` : "\u2014"}</td>` +
      `<td data-l="total" class="num">\u2193 ${bytes(p.rx)}<br>\u2191 ${bytes(p.tx)}</td>` +
      `<td data-l="expires / quota">${esc(p.expires || "")}${quota(p) ? `<small>${quota(p)}</small>` : ""}</td>` +
      `<td class="actions"><button type="button" data-act="chart">Chart</button>` +
      (st.canKeys && w ? `<button type="button" data-act="config">QR / .conf</button>` : "") +
      (w ? `<button type="button" data-act="edit">Edit</button><button type="button" data-act="remove" class="danger">Remove</button>` : "") +
      `</td></tr>`;
  }
  // The interface's line: addresses, port, online count, rates and totals of its peers.
  function ifaceHead(i, peers) {
    let rx = 0, tx = 0, trx = 0, ttx = 0;
    for (const p of peers) {
      const r = st.rates.get(p[".id"]);
      if (r) { rx += r.rx; tx += r.tx; }
      trx += Number(p.rx) || 0; ttx += Number(p.tx) || 0;
    }
    const addr = st.addrs.filter((a) => a.interface === i.name).map((a) => a.address).join(", ");
    const up = peers.filter(online).length;
    return `<span class="dot ${on(i.running) ? "up" : ""}"></span>${esc(i.name)} <small>${esc(addr)} \u00b7 port ${esc(i["listen-port"])} \u00b7 ` +
      `${up}/${peers.length} online \u00b7 \u2193 ${rate(rx)} \u2191 ${rate(tx)} \u00b7 total \u2193 ${bytes(trx)} \u2191 ${bytes(ttx)}</small>`;
  }
  function pager(g) {
    if (g.shown.length <= PAGE) return "";
    const from = g.page * PAGE;
    return `<span class="pager"><button type="button" data-act="prev" aria-label="previous page" ${g.page ? "" : "disabled"}>\u2039</button>` +
      `${from + 1}\u2013${Math.min(from + PAGE, g.shown.length)} of ${g.shown.length}` +
      `<button type="button" data-act="next" aria-label="next page" ${from + PAGE < g.shown.length ? "" : "disabled"}>\u203a</button></span>`;
  }
  function ifaceBlock(g, rows) {
    const i = g.i;
    return `<section class="iface" data-iface="${esc(i.name)}"><h2>${ifaceHead(i, g.peers)}</h2>` +
      `<div class="bar"><button type="button" data-act="ichart">Chart</button>` +
      (st.canWrite ? `<button type="button" data-act="add" class="primary">Add peer</button>` : "") +
      pager(g) + `<small class="pub">public key ${esc(i["public-key"])}</small></div>` +
      `<table class="peers"><thead><tr><th>name</th><th>address</th><th>enabled</th><th>status</th><th>rate</th><th>total</th><th>expires / quota</th><th></th></tr></thead>` +
      `<tbody>${rows.join("")}</tbody></table></section>`;
  }
  // The whole list is built once; a poll that finds the same interfaces and peers
  // replaces only the rows and headers whose text changed (1,000 rows rebuilt every two
  // seconds would keep a phone's browser busy).
  // A page of PAGE peers per interface, of those that match the filter: a phone lays
  // out a hundred rows quickly, not a thousand.
  const matches = (p) => !st.filter || [p.name, p["allowed-address"], p.comment, p["public-key"]]
    .some((v) => v && v.toLowerCase().includes(st.filter));
  function group(i) {
    const peers = st.peers.filter((p) => p.interface === i.name), shown = peers.filter(matches);
    const last = Math.max(0, Math.ceil(shown.length / PAGE) - 1), page = Math.min(st.pages.get(i.name) || 0, last);
    return { i, peers, shown, page, visible: shown.slice(page * PAGE, page * PAGE + PAGE) };
  }
  function render() {
    const groups = st.ifaces.map(group);
    const shape = [st.canWrite, st.canKeys].concat(groups.map((g) => g.i.name + ":" + g.i["public-key"] + ":" +
      g.page + ":" + g.shown.length + ":" + g.visible.map((p) => p[".id"]).join(","))).join("|");
    const rows = new Map();
    for (const g of groups) for (const p of g.visible) rows.set(p[".id"], peerRow(p));
    const box = $("ifaces");
    if (shape !== st.shape) {
      box.innerHTML = groups.length ? groups.map((g) => ifaceBlock(g, g.visible.map((p) => rows.get(p[".id"])))).join("")
        : `<p class="empty">No WireGuard interface yet.</p>`;
      st.shape = shape;
    } else {
      const heads = box.querySelectorAll("section.iface > h2");
      groups.forEach((g, k) => { const h = ifaceHead(g.i, g.peers); if (heads[k] && heads[k].innerHTML !== h) heads[k].innerHTML = h; });
      for (const tr of box.querySelectorAll("tr[data-id]")) {
        const html = rows.get(tr.dataset.id);
        if (html !== st.rows.get(tr.dataset.id)) tr.outerHTML = html;
      }
    }
    st.rows = rows;
    // bench/web.sh reads this mark: navigation to the table laid out the first time
    // (reading offsetHeight lays it out now rather than in the coming frame)
    if (!st.rendered) { st.rendered = true; void box.offsetHeight; performance.mark("peers-rendered"); }
  }
  const peerById = (id) => st.peers.find((p) => p[".id"] === id);

  // ---- automatic address: the next free host of the interface's network ----
  const ip4 = (s) => s.split(".").reduce((a, b) => a * 256 + Number(b), 0);
  const ip4s = (n) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
  function nextAddress(iface) {
    const own = st.addrs.find((a) => a.interface === iface && /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(a.address));
    if (!own) return "";
    const [ip, len] = own.address.split("/"), size = 2 ** (32 - Number(len));
    const net = ip4(ip) - (ip4(ip) % size), used = new Set();
    for (const a of st.addrs) used.add(ip4(a.address.split("/")[0]));
    for (const p of st.peers)
      for (const a of String(p["allowed-address"] || "").split(","))
        if (/^\d+\.\d+\.\d+\.\d+/.test(a)) {
          const [x, l] = a.split("/"), n = 2 ** (32 - Number(l || 32)), base = ip4(x) - (ip4(x) % n);
          for (let k = 0; k < Math.min(n, 65536); k++) used.add(base + k);
        }
    for (let h = net + 1; h < net + size - 1; h++) if (!used.has(h)) return ip4s(h) + "/32";
    return "";
  }

  // ---- the dialog ----
  function dialog(title, body, buttons) {
    $("dlg-title").textContent = title;
    const b = $("dlg-body");
    b.replaceChildren();
    if (typeof body === "string") b.innerHTML = body; else if (body) b.appendChild(body);
    $("dlg-error").textContent = "";
    $("dlg-buttons").innerHTML = buttons.map((x) => `<button type="button" id="dlg-${x.id}" class="${x.cls || ""}">${esc(x.label)}</button>`).join("") +
      `<button type="button" id="dlg-close">Close</button>`;
    for (const x of buttons) $("dlg-" + x.id).onclick = () => x.run().catch((e) => { $("dlg-error").textContent = e.message; });
    $("dlg-close").onclick = () => $("dlg").close();
    if (!$("dlg").open) $("dlg").showModal();
  }
  const field = (name, label, value, ph) =>
    `<label>${esc(label)} <input name="${esc(name)}" value="${esc(value || "")}" placeholder="${esc(ph || "")}"></label>`;
  const values = (names) => {
    const out = {};
    for (const n of names) { const e = document.querySelector(`#dlg-body [name="${n}"]`); if (e) out[n] = e.value.trim(); }
    return out;
  };

  function addPeer(iface) {
    dialog(`Add a peer to ${iface}`,
      field("name", "Name", "", "peer name (optional)") + field("allowed-address", "Address", nextAddress(iface)) +
      field("client-dns", "DNS for the client", "", "optional") + field("client-endpoint", "Endpoint the client dials", "", "this router's address or name (optional)") +
      `<label class="check"><input type="checkbox" name="psk" checked> preshared key</label>`,
      [{ id: "save", label: "Add", cls: "primary", run: async () => {
        const v = values(["name", "allowed-address", "client-dns", "client-endpoint"]);
        const body = { interface: iface, "private-key": "auto", "allowed-address": v["allowed-address"] };
        if (document.querySelector('#dlg-body [name="psk"]').checked) body["preshared-key"] = "auto";
        for (const k of ["name", "client-dns", "client-endpoint"]) if (v[k]) body[k] = v[k];
        const p = await api("PUT", "/interface/wireguard/peers", body);
        st.pages.set(iface, 1e9); // the last page, where the new peer is listed
        await poll();
        if (st.canKeys) await showConfig(p[".id"]); else $("dlg").close();
      } }]);
  }
  const EDIT = [["name", "Name"], ["allowed-address", "Address"], ["comment", "Comment"], ["endpoint-address", "Endpoint address"],
    ["endpoint-port", "Endpoint port"], ["persistent-keepalive", "Persistent keepalive"], ["client-dns", "DNS for the client"],
    ["client-endpoint", "Endpoint the client dials"]];
  function editPeer(id) {
    const p = peerById(id);
    if (!p) return;
    // expiry, quotas and rate limits where the router has them (quota-action always prints)
    const extra = "quota-action" in p ? ["expires", "max-rate", "quota-total", "quota-rx", "quota-tx", "quota-period",
      "quota-action", "quota-rate"].map((k) => [k, k]) : [];
    const fields = EDIT.concat(extra);
    const keys = st.canKeys ? `<p class="keys">public key <code>${esc(p["public-key"])}</code></p>` : "";
    dialog(`Edit ${p.name}`, fields.map(([k, l]) => field(k, l, p[k])).join("") + keys,
      [{ id: "save", label: "Save", cls: "primary", run: async () => {
        const v = values(fields.map(([k]) => k)), body = {};
        for (const [k] of fields) {
          if (v[k] === (p[k] || "")) continue;
          if (v[k]) body[k] = v[k]; else body["!" + k] = "";
        }
        if (Object.keys(body).length) await api("PATCH", "/interface/wireguard/peers/" + id, body);
        $("dlg").close();
        await poll();
      } }]);
  }
  function removePeer(id) {
    const p = peerById(id);
    if (!p) return;
    dialog(`Remove ${p.name}?`, `<p>The peer ${esc(p.name)} (${esc(p["allowed-address"])}) loses its access.</p>`,
      [{ id: "remove", label: "Remove", cls: "danger", run: async () => {
        await api("DELETE", "/interface/wireguard/peers/" + id);
        $("dlg").close();
        await poll();
      } }]);
  }
  async function showConfig(id) {
    const p = peerById(id) || { name: id };
    const out = await api("POST", "/interface/wireguard/peers/show-client-config", { number: id, "as-qr-code": "yes" });
    const { conf, qr } = wgQr.split(out && out.ret ? out.ret : "");
    const box = document.createElement("div");
    box.className = "config";
    if (qr.length) box.appendChild(wgQr.svg(qr));
    const pre = document.createElement("pre");
    pre.textContent = conf;
    box.appendChild(pre);
    const file = String(p.name || "peer").replace(/[^A-Za-z0-9_=+.-]/g, "_").slice(0, 15) + ".conf";
    dialog(`Client config of ${p.name}`, box, [{ id: "download", label: "Download " + file, cls: "primary", run: async () => {
      const a = document.createElement("a");
      a.href = URL.createObjectURL(new Blob([conf], { type: "text/plain" }));
      a.download = file;
      document.body.appendChild(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10000);
    } }]);
  }
  async function setEnabled(id, enabled, box) {
    try { await api("PATCH", "/interface/wireguard/peers/" + id, { disabled: enabled ? "no" : "yes" }); }
    catch (e) { box.checked = !enabled; $("peers-error").textContent = e.message; }
    poll();
  }

  // ---- traffic history ----
  function when(t) {
    if (/^\d+$/.test(t)) return Number(t);
    const d = Date.parse(String(t).replace(" ", "T"));
    return isNaN(d) ? null : d / 1000;
  }
  async function chart(kind, ref, label) {
    const box = document.createElement("div");
    box.className = "history";
    const periods = ["hour", "day", "month", "year"];
    box.innerHTML = `<div class="periods">${periods.map((p) => `<button type="button" data-period="${p}">${p}</button>`).join("")}</div>` +
      `<div class="plot"></div><p class="legend"><span class="rx">\u25a0 rx</span> <span class="tx">\u25a0 tx</span> <span id="hist-sum"></span></p>`;
    const load = async (period) => {
      for (const b of box.querySelectorAll("[data-period]")) b.classList.toggle("on", b.dataset.period === period);
      const plot = box.querySelector(".plot");
      plot.textContent = "loading\u2026";
      let rows;
      try {
        rows = await api("POST", `/interface/wireguard${kind === "peer" ? "/peers" : ""}/traffic-history`, { number: ref, period });
      } catch (e) {
        plot.innerHTML = `<p class="empty">no history${e.status === 400 && /no such command/.test(e.message) ? "" : ": " + esc(e.message)}</p>`;
        return;
      }
      const pts = [];
      let srx = 0, stx = 0;
      const list = Array.isArray(rows) ? rows : [];
      list.forEach((r, i) => {
        const t = when(r.time), prev = i ? when(list[i - 1].time) : null, next = i + 1 < list.length ? when(list[i + 1].time) : null;
        const step = prev !== null ? t - prev : next !== null ? next - t : 60;
        const rx = Number(r["rx-bytes"]) || 0, tx = Number(r["tx-bytes"]) || 0;
        srx += rx; stx += tx;
        if (t !== null && step > 0) pts.push({ t, rx: rx / step, tx: tx / step });
      });
      if (pts.length < 2) { plot.innerHTML = `<p class="empty">no history</p>`; return; }
      const span = pts[pts.length - 1].t - pts[0].t;
      const fmt = (t) => { const d = new Date(t * 1000); return span > 2 * 86400 ? d.toLocaleDateString() : d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }); };
      plot.replaceChildren(wgChart.draw(pts, rate, fmt));
      $("hist-sum").textContent = `\u00b7 ${period}: \u2193 ${bytes(srx)} \u2191 ${bytes(stx)}`;
    };
    box.addEventListener("click", (e) => { const p = e.target.dataset && e.target.dataset.period; if (p) load(p); });
    dialog(`Traffic of ${label}`, box, []);
    await load("hour");
  }

  // ---- the log ----
  async function loadLog() {
    const body = $("log").tBodies[0];
    try {
      const rows = await api("GET", "/log");
      const f = $("log-filter").value.toLowerCase();
      const shown = rows.filter((r) => !f || (r.topics + " " + r.message).toLowerCase().includes(f)).slice(-LOG_ROWS).reverse();
      body.innerHTML = shown.map((r) => `<tr class="${/error|critical|warning/.test(r.topics) ? "warn" : ""}"><td>${esc(r.time)}</td><td>${esc(r.topics)}</td><td>${esc(r.message)}</td></tr>`).join("");
    } catch (e) {
      body.innerHTML = `<tr><td colspan="3" class="error">${esc(e.message)}</td></tr>`;
    }
  }

  // ---- wiring ----
  function onPeersClick(e) {
    const btn = e.target.closest("button[data-act]");
    if (!btn) return;
    const row = btn.closest("tr[data-id]"), sec = btn.closest("section.iface");
    const id = row && row.dataset.id, iface = sec && sec.dataset.iface;
    const act = btn.dataset.act, fail = (x) => { $("peers-error").textContent = x.message; };
    if (act === "add") addPeer(iface);
    else if (act === "edit") editPeer(id);
    else if (act === "remove") removePeer(id);
    else if (act === "config") showConfig(id).catch(fail);
    else if (act === "chart") chart("peer", id, (peerById(id) || {}).name || id).catch(fail);
    else if (act === "ichart") chart("iface", iface, iface).catch(fail);
    else if (act === "prev" || act === "next") {
      const g = group(st.ifaces.find((i) => i.name === iface));
      st.pages.set(iface, Math.max(0, g.page + (act === "next" ? 1 : -1)));
      render();
    }
  }
  document.addEventListener("DOMContentLoaded", () => {
    $("login").addEventListener("submit", (e) => { e.preventDefault(); login($("login-user").value.trim(), $("login-password").value); });
    $("logout").onclick = () => logout("");
    $("tabs").addEventListener("click", (e) => { if (e.target.dataset.view) show(e.target.dataset.view); });
    $("ifaces").addEventListener("click", onPeersClick);
    $("ifaces").addEventListener("change", (e) => {
      if (!e.target.classList.contains("switch")) return;
      setEnabled(e.target.closest("tr").dataset.id, e.target.checked, e.target);
    });
    $("peer-filter").addEventListener("input", (e) => { st.filter = e.target.value.trim().toLowerCase(); st.pages.clear(); render(); });
    $("log-refresh").onclick = loadLog;
    $("log-filter").addEventListener("input", loadLog);
    const pol = sessionStorage.getItem("wg-pol");
    if (st.auth && st.user && pol !== null) {
      // a reload: the page comes up at once with what this tab knew; the policies are
      // read again beside the first poll (the router enforces them either way)
      applyPolicies(pol.split(","));
      showApp();
      loadPolicies().then(() => { if (st.view === "peers" && st.loaded) render(); $("who").textContent = st.user + (st.canWrite ? "" : " (read only)"); })
        .catch((e) => { if (e.status !== 401) $("peers-error").textContent = e.message; });
    } else {
      logout("");
    }
  });
})();
