// The site's own script (no inline scripts: the pages' Content-Security-Policy
// allows scripts from this server only).
"use strict";

// Violations of the Content-Security-Policy, kept for the browser tests.
window.reestrViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.reestrViolations.push(event.violatedDirective + " " + event.blockedURI);
});

// Charts: an element with data-chart holds its ECharts option as JSON.
function drawCharts(root) {
  if (typeof echarts === "undefined") return;
  root.querySelectorAll("[data-chart]").forEach(function (element) {
    if (element.dataset.drawn) return;
    element.dataset.drawn = "1";
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption(JSON.parse(element.dataset.chart));
    window.addEventListener("resize", function () { chart.resize(); });
  });
}

// Buttons that print the page (no inline onclick handlers).
function wirePrint(root) {
  root.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
}

document.addEventListener("DOMContentLoaded", function () {
  drawCharts(document);
  wirePrint(document);
});
document.addEventListener("htmx:afterSettle", function (event) {
  drawCharts(event.target);
  wirePrint(event.target);
});
