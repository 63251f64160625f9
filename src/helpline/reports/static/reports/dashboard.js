// Draws the dashboard charts from the JSON in #report-data with the vendored Chart.js.
(function () {
  "use strict";
  const source = document.getElementById("report-data");
  if (!source || !window.Chart) return;
  const data = JSON.parse(source.textContent);
  const css = getComputedStyle(document.documentElement);
  const accent = css.getPropertyValue("--accent").trim() || "#2f5bd3";
  const success = css.getPropertyValue("--success").trim() || "#1b7f3b";
  const palette = [accent, "#0e9f6e", "#d97706", "#db2777", "#7c3aed", "#0891b2", "#65a30d", "#dc2626", "#4b5563", "#ca8a04", "#2563eb", "#9333ea"];
  Chart.defaults.font.family = css.getPropertyValue("--font").trim() || "system-ui";
  Chart.defaults.animation = false;
  const charts = [];
  function total(values) { return values.reduce((sum, v) => sum + (v || 0), 0); }
  function draw(id, config, values) {
    const el = document.getElementById(id);
    if (!el) return;
    charts.push(new Chart(el, config));
    el.dataset.rendered = "true";
    // a chart with nothing to show says so (the filters matched nothing), instead of an empty frame
    if (values && !total(values)) {
      const note = document.createElement("p");
      note.className = "chart-empty small muted";
      note.setAttribute("role", "status");
      note.textContent = data.labels.empty;
      el.insertAdjacentElement("afterend", note);
      el.dataset.empty = "true";
    }
  }
  const days = data.days;
  draw("chart-trend", {
    type: "line",
    data: { labels: days, datasets: [
      { label: data.labels.created, data: data.created, borderColor: accent, backgroundColor: accent + "33", fill: true, tension: .3 },
      { label: data.labels.solved, data: data.solved, borderColor: success, backgroundColor: success + "22", fill: true, tension: .3 },
    ] },
    options: { responsive: true, interaction: { mode: "index", intersect: false }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  }, data.created.concat(data.solved));
  draw("chart-csat", {
    type: "line",
    data: { labels: days, datasets: [{ label: data.labels.csat, data: data.csat, borderColor: success, spanGaps: true, tension: .3, pointRadius: 3 }] },
    options: { scales: { y: { min: 0, max: 100 } }, plugins: { legend: { display: false } } },
  }, data.csatDistribution);
  draw("chart-ratings", {
    type: "bar",
    data: { labels: ["1", "2", "3", "4", "5"], datasets: [{ label: data.labels.answers, data: data.csatDistribution, backgroundColor: ["#dc2626", "#f97316", "#eab308", "#84cc16", "#16a34a"] }] },
    options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  }, data.csatDistribution);
  function doughnut(id, pairs) {
    draw(id, {
      type: "doughnut",
      data: { labels: pairs.map((p) => p[0]), datasets: [{ data: pairs.map((p) => p[1]), backgroundColor: palette }] },
      options: { plugins: { legend: { position: "right" } } },
    }, pairs.map((p) => p[1]));
  }
  doughnut("chart-channels", data.channels);
  doughnut("chart-languages", data.languages);
  doughnut("chart-types", data.types);
  draw("chart-teams", {
    type: "bar",
    data: { labels: data.teams.map((p) => p[0]), datasets: [{ label: data.labels.tickets, data: data.teams.map((p) => p[1]), backgroundColor: accent }] },
    options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
  }, data.teams.map((p) => p[1]));
  draw("chart-hours", {
    type: "bar",
    data: { labels: data.hours.map((_n, h) => String(h).padStart(2, "0")), datasets: [{ label: data.labels.tickets, data: data.hours, backgroundColor: accent }] },
    options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  }, data.hours);
  document.documentElement.dataset.chartsReady = String(charts.length);
})();
