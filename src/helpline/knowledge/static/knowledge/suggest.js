// Request forms: suggest articles while the customer types; reading one and then leaving the form
// without sending it counts as a deflection (sent with navigator.sendBeacon).
(function () {
  "use strict";
  var box = document.querySelector("[data-kb-suggest]");
  if (!box) return;
  var form = box.closest("form");
  if (!form) return;
  var fields = form.querySelectorAll("input[name=subject], textarea[name=message]");
  var timer = null;
  var read = null;
  var sent = false;
  function query() {
    return Array.prototype.map.call(fields, function (f) { return f.value; }).join(" ").trim();
  }
  function refresh() {
    var q = query();
    if (q.length < 3) { box.innerHTML = ""; return; }
    var url = box.getAttribute("data-kb-suggest") + "?lang=" + encodeURIComponent(box.getAttribute("data-kb-lang")) + "&q=" + encodeURIComponent(q.slice(0, 500));
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) { box.innerHTML = html; });
  }
  Array.prototype.forEach.call(fields, function (f) {
    f.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(refresh, 400); });
  });
  box.addEventListener("click", function (event) {
    var link = event.target.closest("[data-kb-article]");
    if (link) read = { article: link.getAttribute("data-kb-article"), language: link.getAttribute("lang") || "" };
  });
  form.addEventListener("submit", function () { sent = true; });
  window.addEventListener("pagehide", function () {
    if (!read || sent || !navigator.sendBeacon) return;
    var data = new FormData();
    data.append("article", read.article);
    data.append("language", read.language);
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (token) data.append("csrfmiddlewaretoken", token.value);
    navigator.sendBeacon(box.getAttribute("data-kb-deflect"), data);
    read = null;
  });
})();
