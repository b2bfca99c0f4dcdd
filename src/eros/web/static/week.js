/* A creator's week on a FullCalendar time grid: look, drag, edit, re-validate, save.
 *
 * Times are the creator's wall-clock times (the schedule stores them so). The calendar runs in
 * UTC with offset-free times, so what it shows is exactly the stored wall clock, whatever the
 * browser's own zone; the creator's zone is named on the page. Every change goes to the rule
 * engine (validate-an-edit) before Save is possible; violations are drawn on their items.
 */
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const data = JSON.parse(document.getElementById("week-data").textContent);
  const schedule = data.schedule;
  if (!schedule) return;
  const calendarEl = document.getElementById("calendar");
  const editable = calendarEl.dataset.editable === "true";
  const saved = JSON.stringify(schedule.items);
  let items = JSON.parse(saved);
  let violations = [];
  let selected = null;
  let validating = 0;

  const $ = (id) => document.getElementById(id);
  const sendType = (key) => data.send_types[key] || { name: key, category: "other" };
  const money = (v) => (v === null || v === undefined ? "–" : "$" + Number(v).toFixed(2));
  const el = (tag, attrs, text) => {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined) node.textContent = text;
    return node;
  };

  function violationsOf(index) {
    return violations.filter((v) => (v.items || []).includes(index));
  }

  function eventOf(item, index) {
    const type = sendType(item.send_type_key);
    const parent = item.is_follow_up && item.parent_item_index !== undefined ? items[item.parent_item_index] : null;
    const classes = ["cat-" + type.category];
    if (parent) classes.push("followup", "parent-" + sendType(parent.send_type_key).category);
    if (violationsOf(index).length) classes.push("has-violation");
    if (index === selected) classes.push("selected");
    const start = item.scheduled_date + "T" + item.scheduled_time + ":00";
    return {
      id: String(index),
      title: (parent ? "↳ " : "") + type.name + (item.price ? " " + money(item.price) : ""),
      start,
      end: new Date(Date.parse(start + "Z") + 30 * 60000).toISOString().slice(0, 19),
      classNames: classes,
      editable: editable && !parent,
    };
  }

  const calendar = new FullCalendar.Calendar(calendarEl, {
    initialView: "timeGridWeek",
    initialDate: data.week_start,
    timeZone: "UTC",
    firstDay: 1,
    headerToolbar: false,
    allDaySlot: false,
    height: "100%",
    expandRows: false,
    slotDuration: "00:30:00",
    snapDuration: "00:05:00",
    slotLabelInterval: "01:00",
    slotLabelFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    displayEventEnd: false,
    dayHeaderFormat: { weekday: "short", month: "short", day: "numeric" },
    scrollTime: "08:00:00",
    validRange: { start: data.week_start, end: addDays(data.week_start, 7) },
    editable,
    eventDurationEditable: false,
    eventMaxStack: 3,
    events: (info, success) => success(items.map(eventOf)),
    eventClick: (info) => select(Number(info.event.id)),
    eventDrop: (info) => moveItem(Number(info.event.id), info.event.start),
  });
  calendar.render();

  function addDays(day, n) {
    const d = new Date(day + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
  }

  function refresh() {
    calendar.refetchEvents();
    const dirty = JSON.stringify(items) !== saved;
    if (editable) {
      $("revert").disabled = !dirty;
      $("save").disabled = !dirty || validating > 0 || violations.length > 0;
    }
    showViolations();
    if (selected !== null) showDetail(selected);
  }

  function changed() {
    refresh();
    revalidate();
  }

  function moveItem(index, start) {
    const iso = start.toISOString();
    const before = items[index];
    const date = iso.slice(0, 10), time = iso.slice(11, 16);
    const shiftMs = Date.parse(iso) - Date.parse(before.scheduled_date + "T" + before.scheduled_time + ":00Z");
    items[index] = { ...before, scheduled_date: date, scheduled_time: time };
    // A follow-up keeps its delay after its parent: it moves with it.
    items.forEach((item, i) => {
      if (item.is_follow_up && item.parent_item_index === index) {
        const t = new Date(Date.parse(item.scheduled_date + "T" + item.scheduled_time + ":00Z") + shiftMs).toISOString();
        items[i] = { ...item, scheduled_date: t.slice(0, 10), scheduled_time: t.slice(11, 16) };
      }
    });
    selected = index;
    changed();
  }

  function removeItem(index) {
    const gone = new Set([index]);
    items.forEach((item, i) => { if (item.is_follow_up && item.parent_item_index === index) gone.add(i); });
    const kept = [];
    const newIndex = {};
    items.forEach((item, i) => { if (!gone.has(i)) { newIndex[i] = kept.length; kept.push(item); } });
    items = kept.map((item) =>
      item.is_follow_up && item.parent_item_index !== undefined
        ? { ...item, parent_item_index: newIndex[item.parent_item_index] }
        : item
    );
    selected = null;
    $("detail").replaceChildren(el("h2", {}, "Item"), el("p", { class: "muted" }, "Item deleted."));
    changed();
  }

  function setField(index, field, value) {
    setFields(index, { [field]: value });
  }

  function setFields(index, fields) {
    const item = { ...items[index] };
    Object.entries(fields).forEach(([field, value]) => {
      if (value === "" || value === null || Number.isNaN(value)) delete item[field];
      else item[field] = value;
    });
    items[index] = item;
    changed();
  }

  /* The captions the caption tools allow for a send type and content (one request per pair). */
  const captionChoices = new Map();
  function captionsFor(item) {
    const key = item.send_type_key + "|" + (item.content_type || "");
    if (!captionChoices.has(key)) {
      const request = eros.call("GET", eros.paths.captions(data.creator_id, item.send_type_key, item.content_type))
        .then((answer) => answer.captions || [])
        .catch((error) => { captionChoices.delete(key); eros.failed(error); return []; });
      captionChoices.set(key, request);
    }
    return captionChoices.get(key);
  }

  const clip = (text, n) => (text.length > n ? text.slice(0, n - 1) + "…" : text);

  function captionEditor(index, item) {
    const wrap = el("div", { class: "caption-edit" });
    const select = el("select", { id: "edit-caption", "aria-label": "Caption" });
    select.append(el("option", { value: "" }, "— no caption —"));
    const current = item.caption_id !== undefined ? String(item.caption_id) : item.caption_text ? "text" : "";
    if (current) {
      const option = el("option", { value: current }, clip(item.caption_text || "caption " + current, 60));
      option.selected = true;
      select.append(option);
    }
    const note = el("p", { class: "muted caption-note" }, "Loading the captions allowed here…");
    const text = el("p", { class: "caption-text" }, item.caption_text || "No caption.");
    wrap.append(select, note, text);
    captionsFor(item).then((captions) => {
      const offered = new Set();
      captions.forEach((c) => {
        const value = String(c.caption_id);
        offered.add(value);
        const label = clip(c.caption_text, 60) + " · " + c.tier_label.toLowerCase() + (c.fresh ? "" : " · used recently");
        const existing = select.querySelector('option[value="' + value + '"]');
        if (existing) { existing.textContent = label; return; }
        select.append(el("option", { value, title: c.caption_text }, label));
      });
      note.textContent = captions.length
        ? captions.length + " caption" + (captions.length > 1 ? "s" : "") + " allowed for this send and content."
        : "The caption tools offer no caption for this send and content.";
      if (current && !offered.has(current)) {
        select.querySelector('option[value="' + current + '"]').textContent += " (not offered here)";
      }
    });
    select.addEventListener("change", async () => {
      if (select.value === "") { setFields(index, { caption_id: null, caption_text: null }); return; }
      if (select.value === current) return;
      const chosen = (await captionsFor(item)).find((c) => String(c.caption_id) === select.value);
      if (chosen) setFields(index, { caption_id: chosen.caption_id, caption_text: chosen.caption_text });
    });
    return wrap;
  }

  async function revalidate() {
    validating += 1;
    const badge = $("validation");
    badge.dataset.state = "checking";
    badge.textContent = "Checking rules…";
    refresh();
    try {
      const result = await eros.call("POST", eros.paths.validate(), { creator: data.creator_id, week_start: data.week_start, items });
      validating -= 1;
      if (validating > 0) return;
      violations = result.violations || [];
      badge.dataset.state = violations.length ? "invalid" : "valid";
      badge.textContent = violations.length
        ? violations.length + " rule violation" + (violations.length > 1 ? "s" : "")
        : "Valid · " + result.status + " · score " + Math.round(result.quality_score);
      showComponents(result.components || []);
    } catch (error) {
      validating -= 1;
      badge.dataset.state = "invalid";
      badge.textContent = "Not checked";
      eros.failed(error);
    }
    refresh();
  }

  function showViolations() {
    const box = $("violations");
    const list = box.querySelector("ul");
    list.replaceChildren();
    violations.forEach((v) => {
      const li = el("li", {});
      li.append(el("strong", {}, v.code), document.createTextNode(" " + v.message));
      (v.items || []).forEach((i) => {
        const link = el("button", { type: "button", class: "link" }, "item " + i);
        link.addEventListener("click", () => select(i));
        li.append(document.createTextNode(" "), link);
      });
      list.append(li);
    });
    box.hidden = violations.length === 0;
  }

  function showComponents(components) {
    const body = $("components").querySelector("tbody");
    body.replaceChildren();
    components.forEach((c) => {
      const row = el("tr", {});
      const name = el("td", {}, c.name.replaceAll("_", " "));
      (c.reasons || []).slice(0, 1).forEach((reason) => name.append(el("div", { class: "muted reason" }, reason)));
      row.append(name, el("td", { class: "num" }, c.points + " / " + c.max_points));
      body.append(row);
    });
  }

  function select(index) {
    selected = index;
    calendar.refetchEvents();
    showDetail(index);
  }

  function row(dl, label, value) {
    dl.append(el("dt", {}, label));
    const dd = el("dd", {});
    if (value instanceof Node) dd.append(value); else dd.textContent = value;
    dl.append(dd);
  }

  function showDetail(index) {
    const item = items[index];
    const box = $("detail");
    if (!item) return;
    const type = sendType(item.send_type_key);
    box.replaceChildren(el("h2", {}, "Item " + index + " · " + type.name));
    const dl = el("dl", { class: "facts" });
    row(dl, "When", item.scheduled_date + " " + item.scheduled_time + " (" + data.timezone + ")");
    row(dl, "Send type", item.send_type_key + " · " + type.category);
    row(dl, "Channel", item.channel_key || "–");
    if (item.is_follow_up) {
      const parent = items[item.parent_item_index];
      row(dl, "Follow-up of", parent
        ? "item " + item.parent_item_index + " (" + sendType(parent.send_type_key).name + " at " +
          parent.scheduled_time + "), " + (item.delay_minutes || 0) + " min after"
        : "item " + item.parent_item_index);
    }
    if (editable) {
      const content = el("select", { id: "edit-content" });
      content.append(el("option", { value: "" }, "— none —"));
      data.content_types.forEach((c) => {
        const option = el("option", { value: c }, c);
        if (c === item.content_type) option.selected = true;
        content.append(option);
      });
      if (item.content_type && !data.content_types.includes(item.content_type)) {
        const option = el("option", { value: item.content_type }, item.content_type + " (not allowed)");
        option.selected = true;
        content.append(option);
      }
      content.addEventListener("change", () => setField(index, "content_type", content.value));
      row(dl, "Content", content);
      const price = el("input", { id: "edit-price", type: "number", min: "0", step: "0.01", value: item.price ?? "" });
      price.addEventListener("change", () => setField(index, "price", price.value === "" ? "" : Number(price.value)));
      row(dl, "Price", price);
    } else {
      row(dl, "Content", item.content_type || "–");
      row(dl, "Price", money(item.price));
    }
    row(dl, "Expected revenue", money(item.expected_revenue));
    row(dl, "Caption", editable ? captionEditor(index, item) : item.caption_text || "–");
    box.append(dl);
    const why = el("p", { class: "muted" },
      "Scored as part of the week: the score table below gives each component and why points were lost" +
      (item.expected_revenue !== undefined ? "; this send's expected revenue feeds the revenue component." : "."));
    box.append(why);
    const own = violationsOf(index);
    if (own.length) {
      const ul = el("ul", { class: "item-violations" });
      own.forEach((v) => ul.append(el("li", {}, v.code + ": " + v.message)));
      box.append(ul);
    }
    if (editable) {
      const del = el("button", { type: "button", class: "danger" }, "Delete item");
      del.addEventListener("click", () => removeItem(index));
      box.append(del);
    }
  }

  function showAddForm() {
    const box = $("detail");
    box.replaceChildren(el("h2", {}, "Add an item"));
    const form = el("form", { class: "stack" });
    const type = el("select", { name: "send_type_key" });
    Object.entries(data.send_types).forEach(([key, st]) => type.append(el("option", { value: key }, st.name + " · " + st.category)));
    const day = el("select", { name: "day" });
    for (let i = 0; i < 7; i++) day.append(el("option", { value: addDays(data.week_start, i) }, addDays(data.week_start, i)));
    const time = el("input", { name: "time", type: "time", value: "12:00", required: "" });
    const label = (text, input) => { const l = el("label", {}, text); l.append(input); return l; };
    form.append(label("Send type", type), label("Day", day), label("Time", time), el("button", { type: "submit", class: "primary" }, "Add"));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      items.push({ send_type_key: type.value, scheduled_date: day.value, scheduled_time: time.value, flyer_required: 0, is_follow_up: false });
      select(items.length - 1);
      changed();
    });
    box.append(form);
  }

  async function save() {
    $("save").disabled = true;
    try {
      const answer = await eros.call("POST", eros.paths.save(schedule.schedule_id), { items, expected_revision: schedule.revision });
      eros.toast("Saved revision " + answer.revision + " (" + answer.status + ")", "ok");
      window.location.reload();
    } catch (error) {
      eros.failed(error);
      refresh();
    }
  }

  async function lifecycle(path, label) {
    try {
      await eros.call("POST", path, {});
      eros.toast(label, "ok");
      window.location.reload();
    } catch (error) { eros.failed(error); }
  }

  async function showDiff(revision) {
    const box = $("diff");
    try {
      const old = await eros.call("GET", eros.paths.revision(schedule.schedule_id, revision));
      const key = (i) => i.send_type_key + " " + i.scheduled_date + " " + i.scheduled_time + " " + (i.content_type || "") + " " + (i.price ?? "");
      const before = new Set((old.items || []).map(key)), now = new Set(schedule.items.map(key));
      box.replaceChildren(el("h3", {}, "Revision " + revision + " → current"));
      const ul = el("ul", {});
      [...before].filter((k) => !now.has(k)).forEach((k) => ul.append(el("li", { class: "removed" }, "− " + k)));
      [...now].filter((k) => !before.has(k)).forEach((k) => ul.append(el("li", { class: "added" }, "+ " + k)));
      if (!ul.children.length) ul.append(el("li", {}, "no difference in the items"));
      box.append(ul);
      box.hidden = false;
    } catch (error) { eros.failed(error); }
  }

  document.querySelectorAll("[data-diff]").forEach((b) => b.addEventListener("click", () => showDiff(b.dataset.diff)));
  document.querySelectorAll("[data-restore]").forEach((b) => b.addEventListener("click", async () => {
    if (!window.confirm("Bring revision " + b.dataset.restore + " back as a new revision?")) return;
    try {
      await eros.call("POST", eros.paths.restoreRevision(schedule.schedule_id), { revision: Number(b.dataset.restore) });
      window.location.reload();
    } catch (error) { eros.failed(error); }
  }));
  ["ics", "csv", "json"].forEach((format) => { $("export-" + format).href = eros.paths.exportWeek(schedule.schedule_id, format); });
  if (editable) {
    $("save").addEventListener("click", save);
    $("revert").addEventListener("click", () => { items = JSON.parse(saved); violations = []; selected = null; $("validation").textContent = "Saved"; $("validation").dataset.state = "saved"; refresh(); });
    $("add-item").addEventListener("click", showAddForm);
  }
  const queue = $("queue"), complete = $("complete");
  if (queue) queue.addEventListener("click", () => lifecycle(eros.paths.queue(schedule.schedule_id), "Queued for sending"));
  if (complete) complete.addEventListener("click", () => lifecycle(eros.paths.complete(schedule.schedule_id), "Marked completed"));
  if (editable && schedule.items.length) revalidate();
});
