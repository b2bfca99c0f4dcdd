/* Generate one creator's week, or every creator's one after another with a progress bar. */
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const progress = document.getElementById("generate-progress");
  const status = document.getElementById("generate-status");

  async function generate(creator, week) {
    const row = document.querySelector('tr[data-creator="' + creator + '"]');
    const cell = row && row.querySelector('[data-cell="status"]');
    if (cell) cell.textContent = "generating…";
    try {
      await eros.call("POST", eros.paths.generate(), { creator, week_start: week });
      if (cell) cell.textContent = "generated";
      return true;
    } catch (error) {
      if (cell) cell.textContent = error.code || "failed";
      eros.failed(error);
      return false;
    }
  }

  document.querySelectorAll("[data-generate]").forEach((button) => {
    button.addEventListener("click", async () => {
      button.disabled = true;
      const ok = await generate(button.dataset.generate, button.dataset.week);
      button.disabled = false;
      if (ok && button.hasAttribute("data-reload")) window.location.reload();
      else if (ok) eros.toast(button.dataset.generate + ": week generated", "ok");
    });
  });

  const all = document.querySelector("[data-generate-all]");
  if (all) {
    all.addEventListener("click", async () => {
      const creators = Array.from(document.querySelectorAll("tr[data-creator]")).map((r) => r.dataset.creator);
      all.disabled = true;
      progress.hidden = false;
      progress.max = creators.length;
      let done = 0, failures = 0;
      for (const creator of creators) {
        status.textContent = creator + " (" + (done + 1) + " of " + creators.length + ")";
        if (!(await generate(creator, all.dataset.week))) failures += 1;
        done += 1;
        progress.value = done;
      }
      status.textContent = done + " generated" + (failures ? ", " + failures + " failed" : "");
      all.disabled = false;
      window.location.reload();
    });
  }
});
