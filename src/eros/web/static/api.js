/* The pages' one door to the server: JSON calls with the session's CSRF token, and a toast. */
"use strict";

window.eros = (function () {
  const token = () => document.querySelector('meta[name="csrf-token"]').content;

  async function call(method, url, body) {
    const response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": token(), Accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = { error: text }; }
    if (!response.ok) {
      const error = new Error((data && data.error) || response.statusText);
      error.code = data && data.error_code;
      error.status = response.status;
      error.details = data && data.details;
      throw error;
    }
    return data;
  }

  function toast(message, kind) {
    const el = document.getElementById("toast");
    el.textContent = message;
    el.dataset.kind = kind || "info";
    el.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { el.hidden = true; }, 6000);
  }

  function failed(error) {
    toast((error.code ? "[" + error.code + "] " : "") + error.message, "error");
  }

  /* Where each call goes (the JSON API, /api/v1; the charts' series is the pages' own). */
  const paths = {
    validate: () => "/api/v1/schedules/validate",
    save: (id) => "/api/v1/schedules/" + id + "/edit",
    generate: () => "/api/v1/schedules/generate",
    rollback: () => "/api/v1/rollback",
    restore: () => "/api/v1/rollback/restore",
    acknowledge: (id) => "/api/v1/alerts/" + id + "/acknowledge",
    users: () => "/api/v1/users",
    userDisable: (name) => "/api/v1/users/" + encodeURIComponent(name) + "/disable",
    userEnable: (name) => "/api/v1/users/" + encodeURIComponent(name) + "/enable",
    tokens: () => "/api/v1/tokens",
    tokenRevoke: (name) => "/api/v1/tokens/" + encodeURIComponent(name) + "/revoke",
    revision: (id, rev) => "/pages/schedules/" + id + "/revisions/" + rev + ".json",
    restoreRevision: (id) => "/api/v1/schedules/" + id + "/restore",
    queue: (id) => "/api/v1/schedules/" + id + "/queue",
    complete: (id) => "/api/v1/schedules/" + id + "/complete",
    exportWeek: (id, format) => "/api/v1/schedules/" + id + "/export?format=" + format,
    rollout: (action) => "/api/v1/rollout/" + action,
    acceptProposals: () => "/api/v1/learnings/proposals/accept",
    series: (hours) => "/pages/series.json?hours=" + hours,
    captions: (creator, sendType, contentType) =>
      "/api/v1/creators/" + encodeURIComponent(creator) + "/captions?send_type=" + encodeURIComponent(sendType) +
      (contentType ? "&content_type=" + encodeURIComponent(contentType) : ""),
  };

  return { call, toast, failed, paths };
})();
