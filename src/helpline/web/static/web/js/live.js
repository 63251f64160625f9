/* A WebSocket that reconnects with exponential backoff and keeps itself alive with pings.
   Usage: HelplineLive.connect("/ws/desk/", {onMessage(data) {}, onOpen() {}, onClose() {}}) */
(function () {
  "use strict";

  function connect(path, handlers) {
    var socket = null;
    var attempts = 0;
    var pingTimer = null;
    var retryTimer = null;
    var stopped = false;
    var dot = document.getElementById("live-dot");

    function state(value) {
      if (dot) dot.setAttribute("data-state", value);
    }

    function url() {
      var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
      return scheme + window.location.host + path;
    }

    function open() {
      if (stopped) return;
      state("connecting");
      try {
        socket = new WebSocket(url());
      } catch (err) {
        schedule();
        return;
      }
      socket.onopen = function () {
        var wasReconnect = attempts > 0;
        attempts = 0;
        state("open");
        clearInterval(pingTimer);
        pingTimer = setInterval(function () {
          send({ type: "ping" });
        }, 25000);
        if (handlers.onOpen) handlers.onOpen({ reconnected: wasReconnect });
      };
      socket.onmessage = function (event) {
        var data;
        try {
          data = JSON.parse(event.data);
        } catch (err) {
          return;
        }
        if (data && data.type === "notification.new") showNotification(data);
        if (handlers.onMessage) handlers.onMessage(data);
      };
      socket.onclose = function (event) {
        clearInterval(pingTimer);
        state("off");
        if (handlers.onClose) handlers.onClose(event);
        // 4401 / 4404: not allowed or no such ticket; retrying will not help.
        if (event.code === 4401 || event.code === 4404) {
          stopped = true;
          return;
        }
        schedule();
      };
    }

    function schedule() {
      if (stopped) return;
      attempts += 1;
      var delay = Math.min(30000, 1000 * Math.pow(2, Math.min(attempts - 1, 5)));
      delay = delay / 2 + Math.random() * (delay / 2);
      clearTimeout(retryTimer);
      retryTimer = setTimeout(open, delay);
    }

    function send(data) {
      if (socket && socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify(data));
        return true;
      }
      return false;
    }

    document.addEventListener("visibilitychange", function () {
      // Coming back to a sleeping tab: reconnect at once instead of waiting for the backoff.
      if (document.visibilityState === "visible" && socket && socket.readyState === WebSocket.CLOSED) {
        clearTimeout(retryTimer);
        attempts = 0;
        open();
      }
    });

    open();
    return {
      send: send,
      close: function () {
        stopped = true;
        clearInterval(pingTimer);
        clearTimeout(retryTimer);
        if (socket) socket.close();
      },
    };
  }

  /* An in-app notification pushed to this agent: the bell's count, and a short notice. */
  function showNotification(data) {
    var count = document.getElementById("notification-count");
    if (count) {
      count.textContent = String(data.unread || "");
      count.hidden = !data.unread;
    }
    var list = document.getElementById("notification-toasts");
    if (!list) return;
    var item = document.createElement("li");
    item.className = "alert alert-info";
    var title = document.createElement(data.link ? "a" : "strong");
    if (data.link) title.href = data.link;
    title.textContent = data.title || "";
    item.appendChild(title);
    if (data.body) {
      var body = document.createElement("div");
      body.className = "small";
      body.textContent = data.body;
      item.appendChild(body);
    }
    list.appendChild(item);
    setTimeout(function () {
      item.remove();
    }, 15000);
  }

  function debounce(fn, wait) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () {
        fn.apply(null, args);
      }, wait);
    };
  }

  window.HelplineLive = { connect: connect, debounce: debounce };
})();
