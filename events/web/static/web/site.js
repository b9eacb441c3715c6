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
