/* The desk's event form, improved: only the date fields of the chosen precision and the
   recurrence fields of the chosen way of repeating are shown. Without this script every field
   is shown and the server ignores the ones that do not apply. */
(function () {
  "use strict";
  var form = document.querySelector("form.event-form");
  if (!form) return;
  var WHEN = ["start", "end", "start_date", "end_date", "approx_month", "approx_year"];
  var BY_PRECISION = {
    time: ["start", "end"],
    day: ["start_date", "end_date"],
    month: ["approx_month", "approx_year"],
    year: ["approx_year"],
    unknown: []
  };
  var RECURRENCE = ["rec_month", "rec_monthday", "rec_nth", "rec_weekday", "rec_weekdays",
    "rec_end", "rec_count", "rec_until", "rrule"];
  var BY_REPEAT = {
    none: [],
    yearly_date: ["rec_month", "rec_monthday", "rec_end"],
    yearly_weekday: ["rec_month", "rec_nth", "rec_weekday", "rec_end"],
    weekly: ["rec_weekdays", "rec_end"],
    raw: ["rrule"]
  };

  function value(name) {
    var checked = form.querySelector('[name="' + name + '"]:checked');
    if (checked) return checked.value;
    var field = form.querySelector('[name="' + name + '"]');
    return field ? field.value : "";
  }

  function show(names, wanted) {
    names.forEach(function (name) {
      var box = form.querySelector('[data-field="' + name + '"]');
      // A field with an error stays in view, whatever is chosen.
      if (box) box.hidden = wanted.indexOf(name) < 0 && !box.classList.contains("has-error");
    });
  }

  function update() {
    show(WHEN, BY_PRECISION[value("precision")] || WHEN);
    var wanted = (BY_REPEAT[value("repeat")] || RECURRENCE).slice();
    if (wanted.indexOf("rec_end") >= 0) {
      if (value("rec_end") === "count") wanted.push("rec_count");
      if (value("rec_end") === "until") wanted.push("rec_until");
    }
    show(RECURRENCE, wanted);
    form.querySelectorAll("[data-no-script]").forEach(function (note) { note.hidden = true; });
  }

  form.addEventListener("change", update);
  update();

  /* The rule's next dates in each city, asked of the server as you type (the same preview
     the "Preview the dates" button renders without this script). */
  var box = form.querySelector("[data-rule-preview]");
  var button = form.querySelector("[data-preview-button]");
  if (!box || !window.fetch || !window.FormData) return;
  if (button) button.hidden = true;
  var timer = null;
  var asked = 0;
  function preview() {
    var mine = ++asked;
    var body = new FormData(form);
    var token = form.querySelector('[name="csrfmiddlewaretoken"]');
    fetch(box.getAttribute("data-url"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: token ? { "X-CSRFToken": token.value } : {}
    }).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      // An older answer arriving after a newer one is dropped.
      if (html !== null && mine === asked) box.innerHTML = html;
    }).catch(function () { /* offline: the button's page still works */ });
  }
  function later() {
    clearTimeout(timer);
    timer = setTimeout(preview, 300);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  preview();
})();
