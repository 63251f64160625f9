/* The chat panel beside a chat ticket: the visitor's context refreshed while the page is visible,
   and canned responses put into the reply box. */
(function () {
  "use strict";
  var panel = document.getElementById("chat-panel");
  if (!panel) return;
  var box = panel.querySelector("[data-chat-context]");
  var url = panel.getAttribute("data-context-url");
  var EVERY = 5000;

  function refresh() {
    if (document.hidden) return;
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null && box.innerHTML !== html) box.innerHTML = html; })
      .catch(function () { /* next round */ });
  }
  setInterval(refresh, EVERY);
  document.addEventListener("visibilitychange", refresh);

  panel.addEventListener("click", function (event) {
    var button = event.target.closest("[data-canned]");
    if (!button) return;
    var body = document.getElementById("composer-body");
    if (!body) return;
    var reply = document.querySelector('#composer input[name="kind"][value="reply"]');
    if (reply && !reply.checked) reply.click();
    var text = button.getAttribute("data-canned");
    var start = body.selectionStart || 0, end = body.selectionEnd || 0;
    body.value = body.value.slice(0, start) + text + body.value.slice(end);
    body.focus();
    body.selectionStart = body.selectionEnd = start + text.length;
    body.dispatchEvent(new Event("input", { bubbles: true }));
  });
})();
