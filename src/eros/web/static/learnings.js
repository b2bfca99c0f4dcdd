/* Accept the proposed learnings (writes LEARNINGS.md and commits) less the ones rejected: the
 * seed's require_confirmation for auto-reflection happens here. */
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const rejected = new Set();
  document.querySelectorAll("[data-reject]").forEach((box) => {
    box.addEventListener("change", () => {
      if (box.checked) rejected.add(box.dataset.reject); else rejected.delete(box.dataset.reject);
    });
  });
  const accept = document.getElementById("accept-proposals");
  if (!accept) return;
  accept.addEventListener("click", async () => {
    if (!window.confirm("Write the proposals not marked rejected to LEARNINGS.md?")) return;
    try {
      await eros.call("POST", eros.paths.acceptProposals(), { reject: Array.from(rejected) });
      window.location.reload();
    } catch (error) { eros.failed(error); }
  });
});
