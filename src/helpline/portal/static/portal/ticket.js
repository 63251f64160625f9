/* Live ticket page: a WebSocket tells us something public changed; we fetch the fresh thread. */
(function () {
  "use strict";
  var root = document.getElementById("ticket");
  var thread = document.getElementById("thread");
  if (!root || !thread || !("WebSocket" in window)) return;
  var wsPath = root.getAttribute("data-ws-path");
  var threadUrl = root.getAttribute("data-thread-url");
  var notice = document.getElementById("live-notice");
  var retry = 1000;
  var pending = null;
  var failures = 0;

  function refresh() {
    if (pending) return;
    pending = fetch(threadUrl, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        thread.innerHTML = html;
        if (notice) {
          notice.hidden = false;
          setTimeout(function () { notice.hidden = true; }, 4000);
        }
      })
      .catch(function () { /* the next change or a reload will catch up */ })
      .then(function () { pending = null; });
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + wsPath);
    socket.addEventListener("open", function () { retry = 1000; failures = 0; });
    socket.addEventListener("message", function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (data.type === "ticket.changed") refresh();
    });
    socket.addEventListener("close", function (event) {
      if (event.code === 4403) return; // not ours (or signed out): do not retry
      failures += 1;
      if (failures > 8) return; // refused at the handshake again and again: give up until reload
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    });
  }
  connect();
})();
