// QR codes from show-client-config's text: the router draws them with libqrencode as
// UTF-8 half blocks (two modules a character, light modules as blocks, quiet zone
// included); this turns those lines back into modules and draws them as SVG, so the
// page needs no QR encoder of its own.
"use strict";
const wgQr = (() => {
  const TOP = { "\u2588": true, "\u2580": true }, BOTTOM = { "\u2588": true, "\u2584": true };
  const isQrLine = (l) => l.length > 0 && /^[\u2588\u2580\u2584 ]+$/.test(l) && /[\u2588\u2580\u2584]/.test(l);

  // The command's text split into the config and the QR lines.
  function split(text) {
    const lines = text.split("\n"), conf = [], qr = [];
    for (const l of lines) (isQrLine(l) ? qr : conf).push(l);
    return { conf: conf.join("\n").replace(/\n+$/, "") + "\n", qr };
  }

  // Rows of booleans: true for a dark module.
  function modules(qr) {
    const rows = [];
    for (const l of qr) {
      const chars = Array.from(l), top = [], bottom = [];
      for (const ch of chars) { top.push(!TOP[ch]); bottom.push(!BOTTOM[ch]); }
      rows.push(top, bottom);
    }
    return rows;
  }

  function svg(qr) {
    const rows = modules(qr), w = rows.length ? rows[0].length : 0;
    const NS = "http://www.w3.org/2000/svg", el = document.createElementNS(NS, "svg");
    el.setAttribute("viewBox", `0 0 ${w} ${rows.length}`);
    el.setAttribute("class", "qr");
    el.setAttribute("shape-rendering", "crispEdges");
    const bg = document.createElementNS(NS, "rect");
    bg.setAttribute("width", w); bg.setAttribute("height", rows.length); bg.setAttribute("fill", "#fff");
    el.appendChild(bg);
    let d = "";
    rows.forEach((row, y) => row.forEach((dark, x) => { if (dark) d += `M${x} ${y}h1v1h-1z`; }));
    const p = document.createElementNS(NS, "path");
    p.setAttribute("d", d); p.setAttribute("fill", "#000");
    el.appendChild(p);
    return el;
  }
  return { split, modules, svg };
})();
