/* The status dashboard: v4/v5 charts over time, rollback (reason + confirmation), restore (phrase),
   acknowledging alerts. */
"use strict";

document.addEventListener("DOMContentLoaded", async () => {
  const rollback = document.getElementById("rollback-form");
  if (rollback) {
    rollback.addEventListener("submit", async (event) => {
      event.preventDefault();
      const reason = document.getElementById("rollback-reason").value.trim();
      if (!window.confirm("Roll v5 back to v4 for every creator now?\n\nReason: " + reason)) return;
      try {
        const result = await eros.call("POST", eros.paths.rollback(), { reason });
        eros.toast(result.message || "rolled back", result.success ? "ok" : "error");
        window.location.reload();
      } catch (error) { eros.failed(error); }
    });
  }
  const restore = document.getElementById("restore-form");
  if (restore) {
    restore.addEventListener("submit", async (event) => {
      event.preventDefault();
      const confirm = document.getElementById("restore-phrase").value;
      try {
        const result = await eros.call("POST", eros.paths.restore(), { confirm });
        eros.toast(result.message || "restored", result.success ? "ok" : "error");
        if (result.success) window.location.reload();
      } catch (error) { eros.failed(error); }
    });
  }
  document.querySelectorAll("button.alert-ack").forEach((button) => {
    button.addEventListener("click", async () => {
      try {
        const alert = await eros.call("POST", eros.paths.acknowledge(button.dataset.alertId));
        button.replaceWith(document.createTextNode(alert.acknowledged_by + " · " + alert.acknowledged_at));
      } catch (error) { eros.failed(error); }
    });
  });

  if (!window.Chart) return;
  let series;
  try { series = await eros.call("GET", eros.paths.series(24 * 7)); } catch (error) { eros.failed(error); return; }
  const charts = {
    success_rate: "Success rate",
    p95_latency_s: "p95 latency (s)",
    quality_avg: "Quality score",
    hard_gate_rate: "Hard-gate rate",
  };
  const colours = { v4: "#8a94a6", v5: "#2f5bd3" };
  Object.entries(charts).forEach(([metric, title]) => {
    const canvas = document.getElementById("chart-" + metric);
    if (!canvas) return;
    new Chart(canvas, {
      type: "line",
      data: {
        labels: series.hours.map((h) => h.slice(5, 13).replace("T", " ") + "h"),
        datasets: ["v4", "v5"].map((name) => ({
          label: name,
          data: series.hours.map((h) => (series[name][h] ? series[name][h][metric] : null)),
          borderColor: colours[name],
          backgroundColor: colours[name],
          spanGaps: true,
          tension: 0.2,
        })),
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { title: { display: true, text: title }, legend: { position: "bottom" } },
        scales: { y: { beginAtZero: metric !== "quality_avg" } },
      },
    });
  });
});
