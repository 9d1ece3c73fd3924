// A small SVG line chart of rx and tx rates over time (no library: two lines, axes and
// a few labels are all the page draws).
"use strict";
const wgChart = (() => {
  const NS = "http://www.w3.org/2000/svg";
  const W = 640, H = 240, L = 64, R = 10, T = 10, B = 28;
  const mk = (tag, attrs, text) => {
    const e = document.createElementNS(NS, tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  };
  function niceMax(v) {
    if (v <= 0) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(v))), m = v / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  }
  // points: [{t: unix seconds, rx: bytes/s, tx: bytes/s}], sorted by t.
  function draw(points, fmtRate, fmtTime) {
    const svg = mk("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img" });
    const t0 = points[0].t, t1 = Math.max(points[points.length - 1].t, t0 + 1);
    const ymax = niceMax(Math.max(...points.map((p) => Math.max(p.rx, p.tx))));
    const x = (t) => L + ((t - t0) / (t1 - t0)) * (W - L - R);
    const y = (v) => H - B - (v / ymax) * (H - T - B);
    for (let i = 0; i <= 4; i++) {
      const v = (ymax * i) / 4;
      svg.appendChild(mk("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), class: "grid" }));
      svg.appendChild(mk("text", { x: L - 4, y: y(v) + 4, "text-anchor": "end" }, fmtRate(v)));
    }
    for (let i = 0; i <= 3; i++) {
      const t = t0 + ((t1 - t0) * i) / 3;
      svg.appendChild(mk("text", { x: x(t), y: H - 8, "text-anchor": i === 0 ? "start" : i === 3 ? "end" : "middle" }, fmtTime(t)));
    }
    for (const k of ["rx", "tx"]) {
      const d = points.map((p, i) => `${i ? "L" : "M"}${x(p.t).toFixed(1)} ${y(p[k]).toFixed(1)}`).join("");
      svg.appendChild(mk("path", { d, class: `line ${k}` }));
    }
    return svg;
  }
  return { draw };
})();
