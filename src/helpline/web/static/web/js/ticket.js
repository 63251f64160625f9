/* Ticket page: tabs, the composer (kind, draft, shortcuts), presence and live updates. */
(function () {
  "use strict";

  var main = document.getElementById("ticket-main");
  if (!main) return;
  var strings = {};
  try {
    strings = JSON.parse(document.getElementById("ticket-i18n").textContent);
  } catch (err) {}
  var me = parseInt(main.getAttribute("data-agent"), 10);

  function fmt(text, name) {
    return String(text || "").replace("%(name)s", name);
  }

  // -- tabs ----------------------------------------------------------------------------------
  var tabs = Array.prototype.slice.call(main.querySelectorAll("[role=tab]"));
  function selectTab(tab) {
    tabs.forEach(function (t) {
      var on = t === tab;
      t.setAttribute("aria-selected", on ? "true" : "false");
      t.tabIndex = on ? 0 : -1;
      var panel = document.getElementById(t.getAttribute("aria-controls"));
      if (panel) panel.hidden = !on;
    });
  }
  tabs.forEach(function (tab, index) {
    tab.addEventListener("click", function () {
      selectTab(tab);
    });
    tab.addEventListener("keydown", function (event) {
      if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        var next = tabs[(index + (event.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
        selectTab(next);
        next.focus();
      }
    });
  });
  if (tabs.length) selectTab(tabs[0]);

  // -- composer ------------------------------------------------------------------------------
  var composer = document.getElementById("composer");
  var body = composer ? composer.querySelector("textarea[name=body]") : null;
  var draftKey = composer ? composer.getAttribute("data-draft-key") : null;

  function kind() {
    var checked = composer && composer.querySelector("input[name=kind]:checked");
    return checked ? checked.value : "note";
  }

  function syncKind() {
    if (!composer) return;
    var k = kind();
    composer.classList.toggle("is-note", k === "note");
    composer.querySelectorAll("[data-kind-hint]").forEach(function (el) {
      el.hidden = el.getAttribute("data-kind-hint") !== k;
    });
    var send = composer.querySelector("[data-send-label-reply]");
    if (send) send.textContent = send.getAttribute(k === "note" ? "data-send-label-note" : "data-send-label-reply");
    if (body) body.placeholder = body.getAttribute(k === "note" ? "data-placeholder-note" : "data-placeholder-reply");
  }

  if (composer) {
    composer.addEventListener("change", function (event) {
      if (event.target.name === "kind") syncKind();
    });
    syncKind();
    if (body && draftKey) {
      try {
        var saved = window.localStorage.getItem(draftKey);
        if (saved && !body.value) body.value = saved;
      } catch (err) {}
    }
    // Typed since the last submit: the draft save waits 400 ms after the last key, so a reply sent
    // sooner (Ctrl+Enter right after typing) must not be stored again as a draft once it is sent.
    var typedSinceSubmit = false;
    composer.addEventListener("submit", function () {
      sendTyping(false);
      typedSinceSubmit = false;
      try {
        if (draftKey) window.localStorage.removeItem(draftKey);
      } catch (err) {}
    });
    if (body) {
      body.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          if (composer.requestSubmit) composer.requestSubmit();
          else composer.submit();
        }
      });
      body.addEventListener("input", function () {
        typedSinceSubmit = true;
      });
      body.addEventListener(
        "input",
        window.HelplineLive
          ? window.HelplineLive.debounce(function () {
              if (!typedSinceSubmit) return;
              try {
                if (body.value) window.localStorage.setItem(draftKey, body.value);
                else window.localStorage.removeItem(draftKey);
              } catch (err) {}
            }, 400)
          : function () {}
      );
    }
  }

  document.addEventListener("keydown", function (event) {
    if (!body || event.ctrlKey || event.metaKey || event.altKey) return;
    var el = event.target;
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName) || el.isContentEditable) return;
    if (event.key === "r") {
      event.preventDefault();
      selectTab(tabs[0]);
      body.focus();
    }
  });

  // -- properties: do not overwrite what the agent is editing --------------------------------
  var propsDirty = false;
  document.addEventListener("input", function (event) {
    if (event.target.closest && event.target.closest("#properties")) propsDirty = true;
  });
  document.addEventListener("change", function (event) {
    if (event.target.closest && event.target.closest("#properties")) propsDirty = true;
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "properties") propsDirty = false;
  });
  document.body.addEventListener("ticket-changed", function () {
    propsDirty = false;
    refresh();
  });

  // -- live notice ---------------------------------------------------------------------------
  var notice = document.getElementById("live-notice");
  var noticeTimer = null;
  function showNotice(text, tone) {
    if (!notice) return;
    notice.querySelector("[data-live-text]").textContent = text;
    notice.className = "alert live-notice" + (tone ? " alert-" + tone : "");
    notice.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(function () {
      notice.hidden = true;
    }, 8000);
  }
  if (notice) {
    notice.addEventListener("click", function (event) {
      if (event.target.matches("[data-dismiss]")) notice.hidden = true;
    });
  }

  function showCollision(text) {
    if (!composer) return;
    var box = composer.querySelector("[data-collision]");
    if (!box) return;
    box.querySelector("[data-collision-text]").textContent = text;
    box.hidden = false;
  }

  // -- presence ------------------------------------------------------------------------------
  var presenceBox = document.getElementById("presence");
  var typingExpiry = {};
  function initials(name) {
    var words = String(name || "?").split(/\s+/).filter(Boolean);
    return (words.length > 1 ? words[0][0] + words[1][0] : (words[0] || "?").slice(0, 2)).toUpperCase();
  }
  function renderPresence(viewers) {
    if (!presenceBox) return;
    presenceBox.textContent = "";
    viewers.forEach(function (viewer) {
      var item = document.createElement("span");
      var typing = viewer.typing && (typingExpiry[viewer.id] || 0) > Date.now();
      item.className = "presence-item" + (typing ? " typing" : "");
      item.setAttribute("data-agent", viewer.id);
      var avatar = document.createElement("span");
      avatar.className = "avatar agent";
      avatar.textContent = initials(viewer.name);
      var label = document.createElement("span");
      label.textContent = viewer.name + " " + (typing ? strings.typing : strings.viewing);
      item.appendChild(avatar);
      item.appendChild(label);
      presenceBox.appendChild(item);
    });
  }
  var viewers = [];
  setInterval(function () {
    if (viewers.some(function (v) { return v.typing; })) renderPresence(viewers);
  }, 2000);

  // -- live refresh --------------------------------------------------------------------------
  var liveUrl = main.getAttribute("data-live-url");
  var refresh = window.HelplineLive
    ? window.HelplineLive.debounce(function (after) {
        if (!window.htmx) return;
        var url = liveUrl + "?props=" + (propsDirty ? "0" : "1");
        window.htmx.ajax("GET", url, { target: "#ticket-live-sink", swap: "none" }).then(function () {
          var thread = document.getElementById("thread");
          var seen = composer && composer.querySelector("[data-seen]");
          if (thread && seen) seen.value = thread.getAttribute("data-last-message-id") || seen.value;
          if (after) after();
        });
      }, 300)
    : function () {};

  var sink = document.createElement("div");
  sink.id = "ticket-live-sink";
  sink.hidden = true;
  document.body.appendChild(sink);

  var socket = null;
  var typingSent = false;
  var typingIdle = null;
  function sendTyping(active) {
    if (!socket) return;
    if (active) {
      if (!typingSent) socket.send({ type: "typing", active: true });
      typingSent = true;
      clearTimeout(typingIdle);
      typingIdle = setTimeout(function () {
        sendTyping(false);
      }, 4000);
    } else if (typingSent) {
      typingSent = false;
      clearTimeout(typingIdle);
      socket.send({ type: "typing", active: false });
    }
  }
  var lastTypingPing = 0;
  if (body) {
    body.addEventListener("input", function () {
      var now = Date.now();
      if (!typingSent || now - lastTypingPing > 5000) {
        typingSent = false;
        lastTypingPing = now;
      }
      sendTyping(true);
    });
    body.addEventListener("blur", function () {
      sendTyping(false);
    });
  }

  // Changes arriving within the debounce window are looked at together once the page is fresh.
  var queued = [];
  function handleChange(data) {
    queued.push(data);
    refresh(function () {
      var events = queued;
      queued = [];
      var collision = null;
      var note = null;
      var other = null;
      events.forEach(function (event) {
        if (event.actor_agent === me || event.event === "delivery_changed") return;
        var name = event.actor || strings.someone;
        if (event.event === "message_added" && event.message) {
          var el = document.getElementById("m-" + event.message);
          if (el && el.classList.contains("msg-note")) {
            note = note || name;
          } else if (body && body.value.trim()) {
            collision = collision || name;
          } else {
            other = other || name;
          }
        } else {
          other = other || name;
        }
      });
      if (collision) {
        showCollision(fmt(strings.collision, collision));
        showNotice(fmt(strings.collision, collision), "warning");
      } else if (other) {
        showNotice(fmt(strings.updated, other));
      } else if (note) {
        showNotice(fmt(strings.note_added, note));
      }
    });
  }

  if (window.HelplineLive) {
    socket = window.HelplineLive.connect(main.getAttribute("data-ws"), {
      onOpen: function (info) {
        if (info.reconnected) refresh();
        if (typingSent) {
          typingSent = false;
          sendTyping(true);
        }
      },
      onClose: function () {
        viewers = [];
        renderPresence(viewers);
      },
      onMessage: function (data) {
        if (data.type === "presence") {
          viewers = data.viewers || [];
          viewers.forEach(function (v) {
            if (v.typing) typingExpiry[v.id] = Date.now() + 10000;
          });
          renderPresence(viewers);
        } else if (data.type === "ticket.changed") {
          handleChange(data);
        }
      },
    });
  }
})();
