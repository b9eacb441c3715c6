// The desk planner as you type: the GET form works without this file; with it, every change
// asks /api/planner/ with the same parameters and redraws the tables from the answer. All text
// comes from the server (the API words it in the page's language); none is computed here.
(function () {
  "use strict";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function badge(parent, text, kind) {
    if (!text) return;
    parent.appendChild(document.createTextNode(" "));
    parent.appendChild(el("span", "badge" + (kind ? " badge-" + kind : ""), text));
  }

  function cell(row, label, text, className) {
    var td = el("td", className || "", text);
    td.setAttribute("data-label", label);
    row.appendChild(td);
    return td;
  }

  function cityHeader(row, name, extra) {
    var th = el("th", "", name);
    th.setAttribute("scope", "row");
    th.appendChild(document.createTextNode(" "));
    th.appendChild(el("span", "muted", extra));
    row.appendChild(th);
  }

  function fill(container, items, build) {
    while (container.firstChild) container.removeChild(container.firstChild);
    items.forEach(function (item) { container.appendChild(build(item)); });
  }

  function dstBadge(parent, dst, labels) {
    if (dst === "gap") badge(parent, labels.gap, "tentative");
    if (dst === "fold") badge(parent, labels.fold, "tentative");
  }

  function offsetText(item) {
    return item.offset_label + (item.abbreviation ? " (" + item.abbreviation + ")" : "");
  }

  function headings(table) {
    return Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent;
    });
  }

  function render(root, data) {
    var labels = root.dataset;
    var L = { reference: labels.lReference, night: labels.lNight, weekend: labels.lWeekend,
      working: labels.lWorking, outside: labels.lOutside, gap: labels.lGap, fold: labels.lFold };
    fill(root.querySelector("[data-warnings]"), data.warnings, function (text) {
      return el("li", "notice", text);
    });
    var other = root.querySelector("[data-other-fold]");
    other.hidden = data.reference.other_fold === null;
    other.querySelector("a").textContent = data.reference.fold ? labels.lFirst : labels.lSecond;
    root.querySelector("[data-clocks-caption]").textContent = data.reference.caption;

    var clocks = root.querySelector("[data-clocks]");
    var clockHeads = headings(clocks.closest("table"));
    fill(clocks, data.clocks, function (c) {
      var row = el("tr", c.is_reference ? "is-picked" : "");
      row.setAttribute("data-city", c.city);
      cityHeader(row, c.name, c.zone);
      cell(row, clockHeads[1], c.weekday);
      cell(row, clockHeads[2], c.date, "local-date");
      cell(row, clockHeads[3], c.time, "local-time");
      cell(row, clockHeads[4], offsetText(c));
      var notes = cell(row, clockHeads[5], "", "badges");
      if (c.is_reference) badge(notes, L.reference);
      badge(notes, c.day_note, "day");
      if (c.working) badge(notes, L.working, "ok"); else badge(notes, L.outside, "off");
      if (c.night) badge(notes, L.night, "night");
      if (c.weekend) badge(notes, L.weekend);
      dstBadge(notes, c.dst, L);
      return row;
    });

    var week = data.week;
    root.querySelector("[data-week-label]").textContent = week.label + " · " + L.working + " " +
      data.rules.work + " · " + data.rules.duration_minutes + " " + (root.dataset.lMin || "min");
    var message = root.querySelector("[data-week-message]");
    message.textContent = week.message;
    message.hidden = !week.message;
    root.querySelector("[data-windows-block]").hidden = !week.windows.length;
    root.querySelector("[data-slots-block]").hidden = week.common;
    var cityLines = function (cities, withNotes) {
      var list = el("ul", "slot-cities");
      cities.forEach(function (c) {
        var line = el("li", withNotes && !c.inside ? "is-outside" : "");
        line.appendChild(el("strong", "", c.name));
        line.appendChild(document.createTextNode(": " + c.text));
        if (withNotes) {
          badge(line, c.day_note, "day");
          badge(line, c.note, "off");
          if (c.night) badge(line, L.night, "night");
          if (c.weekend) badge(line, L.weekend);
        }
        list.appendChild(line);
      });
      return list;
    };
    fill(root.querySelector("[data-windows]"), week.windows, function (w) {
      var item = el("li");
      item.appendChild(cityLines(w.cities, false));
      return item;
    });
    fill(root.querySelector("[data-slots]"), week.slots, function (s) {
      var item = el("li");
      item.appendChild(el("strong", "", s.summary));
      item.appendChild(cityLines(s.cities, true));
      return item;
    });

    var roll = root.querySelector("[data-roll]");
    var rollHeads = headings(roll.closest("table"));
    fill(roll, data.same_local, function (r) {
      var row = el("tr");
      row.setAttribute("data-city", r.city);
      cityHeader(row, r.name, offsetText(r));
      var local = cell(row, rollHeads[1], r.weekday + ", " + r.date + ", " + r.time, "roll-local");
      dstBadge(local, r.dst, L);
      cell(row, rollHeads[2], r.utc_text);
      var there = cell(row, rollHeads[3], r.in_reference);
      badge(there, r.day_note, "day");
      cell(row, rollHeads[4], r.after_first || "—");
      return row;
    });
    root.hidden = false;
  }

  function showErrors(box, form, errors) {
    var list = box.querySelector("ul");
    while (list.firstChild) list.removeChild(list.firstChild);
    form.querySelectorAll("[aria-invalid]").forEach(function (input) {
      input.removeAttribute("aria-invalid");
    });
    var names = Object.keys(errors || {});
    names.forEach(function (name) {
      [].concat(errors[name]).forEach(function (message) {
        var item = el("li");
        item.setAttribute("data-param", name);
        item.appendChild(el("code", "", name));
        item.appendChild(document.createTextNode(": " + message));
        list.appendChild(item);
      });
      form.querySelectorAll('[name="' + name + '"]').forEach(function (input) {
        input.setAttribute("aria-invalid", "true");
      });
    });
    box.hidden = names.length === 0;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-planner]");
    var root = document.querySelector("[data-planner-results]");
    var box = document.querySelector("[data-planner-errors]");
    if (!form || !root || !box || !window.fetch || !window.URLSearchParams) return;
    var status = form.querySelector("[data-planner-status]");
    var lang = document.documentElement.lang || "en";
    var timer = null;
    var latest = 0;

    function query() {
      var params = new URLSearchParams();
      new FormData(form).forEach(function (value, key) {
        if (value !== "") params.append(key, value);
      });
      return params;
    }

    function refresh() {
      var params = query();
      var pageUrl = form.getAttribute("action") + "?" + params.toString();
      if (window.history && history.replaceState) history.replaceState(null, "", pageUrl);
      if (!params.getAll("cities").length && !params.get("ref")) {
        root.hidden = true;
        showErrors(box, form, {});
        return;
      }
      var ticket = ++latest;
      form.setAttribute("data-busy", "true");
      fetch(form.getAttribute("data-api") + "?" + params.toString(), {
        headers: { Accept: "application/json", "Accept-Language": lang },
        credentials: "same-origin"
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (answer) {
        if (ticket !== latest) return;  // an older answer arriving after a newer one
        if (answer.ok) {
          showErrors(box, form, {});
          render(root, answer.body);
          form.setAttribute("data-updated", String(ticket));
        } else {
          showErrors(box, form, answer.body);
        }
        form.removeAttribute("data-busy");
        if (status) status.textContent = "";
      }).catch(function () {
        if (ticket !== latest) return;
        form.removeAttribute("data-busy");
        if (status) status.textContent = status.getAttribute("data-failed") || "…";
      });
    }

    function later() {
      if (timer) clearTimeout(timer);
      timer = setTimeout(refresh, 250);
    }

    form.addEventListener("input", later);
    form.addEventListener("change", later);
    // A new time clears the choice between the two readings of a repeated hour.
    form.querySelectorAll('[name="time"], [name="date"], [name="ref"]').forEach(function (input) {
      input.addEventListener("input", function () { form.elements.fold.value = "0"; });
    });
    var foldLink = root.querySelector("[data-fold-link]");
    if (foldLink) {
      foldLink.addEventListener("click", function (event) {
        event.preventDefault();
        form.elements.fold.value = form.elements.fold.value === "1" ? "0" : "1";
        refresh();
      });
    }
    form.setAttribute("data-ready", "true");
  });
})();
