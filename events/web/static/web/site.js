// Progressive enhancements only: every page works without this file.
(function () {
  "use strict";
  var lang = document.documentElement.lang || undefined;

  function formatLocal(iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) return null;
    try {
      return date.toLocaleString(lang, {
        weekday: "short", year: "numeric", month: "long", day: "numeric",
        hour: "2-digit", minute: "2-digit", timeZoneName: "short"
      });
    } catch (e) {
      return date.toString();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    // The visitor's own time, from the UTC instant the server wrote into <time datetime>.
    document.querySelectorAll("time[data-visitor-time]").forEach(function (el) {
      var text = formatLocal(el.getAttribute("datetime"));
      if (!text) return;
      var zone = "";
      try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { /* old browser */ }
      el.textContent = text + (zone ? " (" + zone + ")" : "");
      el.setAttribute("data-rendered", "true");
    });
    // The event page's city picker: the same GET form works without this script; with it a
    // change shows the city at once, and a first visit pre-selects the participating city in
    // the browser's zone. Every text shown comes from the server (data-when), none is computed.
    var pick = document.querySelector("form[data-city-pick]");
    var select = pick && pick.querySelector("select[name=city]");
    if (select) {
      var showCity = function (option) {
        select.value = option.value;
        var name = document.querySelector("[data-picked-name]");
        var when = document.querySelector("[data-picked-when]");
        if (name) name.textContent = option.getAttribute("data-name");
        if (when) when.textContent = option.getAttribute("data-when");
        var where = document.querySelector("[data-picked-where]");
        if (where) where.textContent = option.getAttribute("data-where") || where.getAttribute("data-default");
        document.querySelectorAll("[data-add-city], tr[data-city], .dates-by-city li[data-city]").forEach(function (el) {
          var slug = el.getAttribute("data-add-city") || el.getAttribute("data-city");
          el.classList.toggle("is-picked", slug === option.value);
        });
        var badge = document.querySelector("[data-picked-badge]");
        var target = document.querySelector('[data-add-city="' + option.value + '"] .add-city');
        if (badge && target) target.appendChild(badge);
        pick.setAttribute("data-shown", option.value);
      };
      select.addEventListener("change", function () {
        showCity(select.options[select.selectedIndex]);
        if (window.history && history.replaceState) {
          var url = new URL(window.location.href);
          url.searchParams.set("city", select.value);
          history.replaceState(null, "", url.toString());
        }
      });
      if (!pick.hasAttribute("data-chosen")) {
        var browserZone = "";
        try { browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { /* old browser */ }
        var match = Array.prototype.find.call(select.options, function (option) {
          return option.getAttribute("data-zone") === browserZone;
        });
        if (match) showCity(match);
      }
      pick.setAttribute("data-ready", "true");
    }
    // Copy buttons for feed addresses.
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      var input = document.getElementById(button.getAttribute("data-copy"));
      if (!input) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        input.select();
        var done = function () { button.textContent = button.getAttribute("data-done") || "✓"; };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
        } else {
          document.execCommand("copy");
          done();
        }
      });
    });
  });
})();
