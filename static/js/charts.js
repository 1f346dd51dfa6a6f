/* Dashboard charts: draws SVG bar and line charts from the JSON blocks the page carries
   (Django's json_script, never executed). No library, no inline script. Every chart's numbers
   are also in the table next to it. */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var COLORS = ["#2f6db5", "#9aa9bd", "#d9822b", "#3a9a5b", "#8e5bb5"];

  function el(name, attrs, text) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function maxOf(series) {
    var m = 0;
    series.forEach(function (s) { s.values.forEach(function (v) { if (v > m) { m = v; } }); });
    return m || 1;
  }

  function legend(svg, series, width) {
    var x = 8;
    series.forEach(function (s, i) {
      svg.appendChild(el("rect", { x: x, y: 4, width: 10, height: 10, fill: COLORS[i % COLORS.length] }));
      var t = el("text", { x: x + 14, y: 13, "class": "legend" }, s.name);
      svg.appendChild(t);
      x += 24 + s.name.length * 7;
    });
  }

  function bar(data) {
    var w = 520, h = 240, top = 24, bottom = 40, left = 40;
    var svg = el("svg", { viewBox: "0 0 " + w + " " + h, role: "img", "class": "chart-svg" });
    var max = maxOf(data.series), n = data.labels.length, k = data.series.length;
    var plotH = h - top - bottom, slot = (w - left - 8) / Math.max(n, 1), bw = (slot * 0.8) / k;
    svg.appendChild(el("line", { x1: left, y1: h - bottom, x2: w - 4, y2: h - bottom, "class": "axis" }));
    svg.appendChild(el("text", { x: left - 4, y: top + 4, "text-anchor": "end", "class": "tick" }, String(max)));
    data.labels.forEach(function (label, i) {
      data.series.forEach(function (s, j) {
        var v = s.values[i] || 0, bh = (v / max) * plotH;
        var x = left + i * slot + slot * 0.1 + j * bw;
        var r = el("rect", { x: x, y: h - bottom - bh, width: Math.max(bw - 2, 1), height: bh, fill: COLORS[j % COLORS.length] });
        r.appendChild(el("title", {}, s.name + " · " + label + ": " + v));
        svg.appendChild(r);
        if (v) { svg.appendChild(el("text", { x: x + bw / 2, y: h - bottom - bh - 3, "text-anchor": "middle", "class": "val" }, String(v))); }
      });
      svg.appendChild(el("text", { x: left + i * slot + slot / 2, y: h - bottom + 16, "text-anchor": "middle", "class": "tick" }, label));
    });
    legend(svg, data.series, w);
    return svg;
  }

  function hbar(data) {
    var rowH = 14 * data.series.length + 8, left = 200, w = 560, top = 22;
    var h = top + rowH * Math.max(data.labels.length, 1) + 8;
    var svg = el("svg", { viewBox: "0 0 " + w + " " + h, role: "img", "class": "chart-svg" });
    var max = maxOf(data.series), plotW = w - left - 40;
    data.labels.forEach(function (label, i) {
      var y0 = top + i * rowH;
      svg.appendChild(el("text", { x: left - 6, y: y0 + rowH / 2 + 3, "text-anchor": "end", "class": "tick" }, label.length > 32 ? label.slice(0, 31) + "…" : label));
      data.series.forEach(function (s, j) {
        var v = s.values[i] || 0, bw = (v / max) * plotW, y = y0 + j * 14;
        var r = el("rect", { x: left, y: y, width: bw, height: 12, fill: COLORS[j % COLORS.length] });
        r.appendChild(el("title", {}, s.name + " · " + label + ": " + v));
        svg.appendChild(r);
        svg.appendChild(el("text", { x: left + bw + 4, y: y + 10, "class": "val" }, String(v)));
      });
    });
    legend(svg, data.series, w);
    return svg;
  }

  function line(data) {
    var w = 560, h = 240, top = 24, bottom = 36, left = 40;
    var svg = el("svg", { viewBox: "0 0 " + w + " " + h, role: "img", "class": "chart-svg" });
    var max = maxOf(data.series), n = data.labels.length, plotH = h - top - bottom;
    var step = n > 1 ? (w - left - 16) / (n - 1) : 0;
    svg.appendChild(el("line", { x1: left, y1: h - bottom, x2: w - 4, y2: h - bottom, "class": "axis" }));
    svg.appendChild(el("text", { x: left - 4, y: top + 4, "text-anchor": "end", "class": "tick" }, String(max)));
    data.series.forEach(function (s, j) {
      var pts = s.values.map(function (v, i) { return (left + i * step) + "," + (h - bottom - ((v || 0) / max) * plotH); });
      svg.appendChild(el("polyline", { points: pts.join(" "), fill: "none", stroke: COLORS[j % COLORS.length], "stroke-width": 2 }));
      s.values.forEach(function (v, i) {
        var c = el("circle", { cx: left + i * step, cy: h - bottom - ((v || 0) / max) * plotH, r: 3, fill: COLORS[j % COLORS.length] });
        c.appendChild(el("title", {}, s.name + " · " + data.labels[i] + ": " + v));
        svg.appendChild(c);
      });
    });
    data.labels.forEach(function (label, i) {
      svg.appendChild(el("text", { x: left + i * step, y: h - bottom + 16, "text-anchor": "middle", "class": "tick" }, label));
    });
    legend(svg, data.series, w);
    return svg;
  }

  var DRAW = { bar: bar, hbar: hbar, line: line };

  function drawAll() {
    document.querySelectorAll("[data-chart]").forEach(function (figure) {
      var source = document.getElementById(figure.getAttribute("data-chart"));
      if (!source) { return; }
      var data = JSON.parse(source.textContent);
      if (!data.labels || !data.labels.length) {
        figure.appendChild(Object.assign(document.createElement("p"), { className: "muted", textContent: "Nothing to chart in this period." }));
        return;
      }
      var chart = (DRAW[data.type] || bar)(data);
      // The chart's name for screen readers: its caption (the table below it has the numbers).
      var caption = figure.querySelector("figcaption");
      chart.setAttribute("aria-label", caption ? caption.textContent : "Chart");
      figure.insertBefore(chart, figure.firstChild);
      figure.classList.add("drawn");
    });
  }

  function periodPicker() {
    var preset = document.getElementById("id_preset");
    if (!preset) { return; }
    ["id_from", "id_to"].forEach(function (id) {
      var input = document.getElementById(id);
      if (input) { input.addEventListener("change", function () { preset.value = "custom"; }); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(); periodPicker(); });
})();
