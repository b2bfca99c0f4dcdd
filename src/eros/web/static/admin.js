/* The admin page: add / disable / enable users, create (shown once) and revoke tokens, through the API. */
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const act = (attribute, path, question) => {
    document.querySelectorAll("[" + attribute + "]").forEach((button) => {
      button.addEventListener("click", async () => {
        const name = button.getAttribute(attribute);
        if (question && !window.confirm(question + " " + name + "?")) return;
        try {
          await eros.call("POST", path(name));
          window.location.reload();
        } catch (error) { eros.failed(error); }
      });
    });
  };
  act("data-user-disable", eros.paths.userDisable, "Disable");
  act("data-user-enable", eros.paths.userEnable);
  act("data-token-revoke", eros.paths.tokenRevoke, "Revoke the token");

  const userForm = document.getElementById("user-form");
  if (userForm) {
    userForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = {
        name: document.getElementById("user-name").value.trim(),
        role: document.getElementById("user-role").value,
        password: document.getElementById("user-password").value,
      };
      try {
        await eros.call("POST", eros.paths.users(), body);
        window.location.reload();
      } catch (error) { eros.failed(error); }
    });
  }
  const tokenForm = document.getElementById("token-form");
  if (tokenForm) {
    tokenForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = {
        name: document.getElementById("token-name").value.trim(),
        role: document.getElementById("token-role").value,
      };
      try {
        const made = await eros.call("POST", eros.paths.tokens(), body);
        document.getElementById("token-value").textContent = made.token;
        document.getElementById("token-shown").hidden = false;
        tokenForm.reset();
      } catch (error) { eros.failed(error); }
    });
  }
});
