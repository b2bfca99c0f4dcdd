/* Accept or reject a proposed learning (the seed's require_confirmation for auto-reflection). */
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-proposal]").forEach((button) => {
    button.addEventListener("click", async () => {
      try {
        await eros.call("POST", eros.paths.proposal(button.dataset.proposal, button.dataset.verdict), {});
        window.location.reload();
      } catch (error) { eros.failed(error); }
    });
  });
});
