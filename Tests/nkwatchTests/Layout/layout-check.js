// Injected by the report layout test into a copy of the HTML report (never
// into the report itself): measures what a reader at this viewport width
// sees and writes it into <pre id="layout-check"> as JSON.
(function () {
  function visible(el) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) return false;
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.display === "none" || cs.visibility === "hidden") return false;
    }
    return true;
  }
  const viewport = document.documentElement.clientWidth;
  const out = { viewport: viewport, scrollWidth: document.documentElement.scrollWidth, tiny: [], overflowing: [], minFont: 1000, texts: 0, charts: 0 };
  // Text in HTML: computed font size of each element that holds text directly.
  document.querySelectorAll("body *").forEach(function (el) {
    if (el.closest("svg") || !visible(el)) return;
    const own = Array.from(el.childNodes).some(function (n) { return n.nodeType === 3 && n.textContent.trim() !== ""; });
    if (own) {
      const px = parseFloat(getComputedStyle(el).fontSize);
      out.texts++;
      out.minFont = Math.min(out.minFont, px);
      if (px < 11) out.tiny.push(el.tagName + " " + px.toFixed(1) + "px: " + el.textContent.trim().slice(0, 40));
    }
    const r = el.getBoundingClientRect();
    if (r.right > viewport + 1 && getComputedStyle(el).position !== "fixed") out.overflowing.push(el.tagName + "." + el.className + " right " + Math.round(r.right));
  });
  // Text in charts: the font size in chart units times the chart's scale.
  document.querySelectorAll("svg.chart").forEach(function (svg) {
    if (!visible(svg)) return;
    out.charts++;
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    svg.querySelectorAll("text").forEach(function (t) {
      const px = parseFloat(t.getAttribute("font-size")) * scale;
      out.texts++;
      out.minFont = Math.min(out.minFont, px);
      if (px < 9) out.tiny.push("svg#" + svg.id + " text " + px.toFixed(1) + "px: " + t.textContent.slice(0, 30));
    });
  });
  out.tiny = out.tiny.slice(0, 20);
  out.overflowing = out.overflowing.slice(0, 20);
  const pre = document.createElement("pre");
  pre.id = "layout-check";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
