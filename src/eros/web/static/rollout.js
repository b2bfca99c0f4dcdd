/* Advance / hold / abort the rollout through the API, with the reason typed beside the buttons. */
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-rollout]").forEach((button) => {
    button.addEventListener("click", async () => {
      const action = button.dataset.rollout;
      const reason = document.getElementById("rollout-reason").value.trim();
      if (!reason) { eros.toast("Say why (the reason is kept in the audit trail).", "error"); return; }
      if (!window.confirm(action + " the rollout?")) return;
      try {
        await eros.call("POST", eros.paths.rollout(action), { reason });
        window.location.reload();
      } catch (error) { eros.failed(error); }
    });
  });
});
