/* Helpline chat widget. Embed: <script src="https://desk.example/chat/widget.js" async></script>
   Optional attributes: data-lang, data-color, data-logo, data-greeting. No dependencies. */
(function () {
  "use strict";
  if (window.HelplineChat) return;
  var script = document.currentScript || document.querySelector('script[src*="/chat/widget.js"]');
  if (!script) return;
  var src = new URL(script.src, location.href);
  var base = src.origin + src.pathname.replace(/widget\.js$/, "");
  var wsUrl = base.replace(/^http/, "ws").replace(/chat\/$/, "ws/chat/");
  var ds = script.dataset || {};
  var KEY = "helpline-chat:" + base + ":";

  function load(k, d) { try { var v = JSON.parse(localStorage.getItem(KEY + k)); return v === null ? d : v; } catch (e) { return d; } }
  function save(k, v) { try { localStorage.setItem(KEY + k, JSON.stringify(v)); } catch (e) { /* private mode */ } }
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text) e.textContent = text; return e; }
  function post(path, fields, file) {
    var form = new FormData();
    Object.keys(fields).forEach(function (k) { form.append(k, fields[k]); });
    if (file) form.append("file", file);
    return fetch(base + path, { method: "POST", body: form }).then(function (r) {
      return r.json().then(function (data) { if (!r.ok) throw data; return data; });
    });
  }
  function cid() { return Date.now().toString(36) + Math.random().toString(36).slice(2, 10); }

  var lang = [ds.lang || ""].concat(navigator.languages || [navigator.language || ""], [document.documentElement.lang || ""]).join(",");
  var token = load("token", "");
  var messages = {};            // server id -> message
  var pending = load("pending", []);  // [{cid, body}] not yet acknowledged, resent after reconnect
  var config = null, socket = null, retry = 0, open = load("open", false), readSent = 0;
  var seen = false, typingTimer = null, typingSent = false, queue = 0, notices = [], sentPage = "";

  // -- DOM (shadow root keeps the host page's styles out) ------------------------------------------
  var host = el("div");
  host.id = "helpline-chat";
  var root = host.attachShadow({ mode: "open" });
  var style = el("style");
  style.textContent = [
    ":host{all:initial}*{box-sizing:border-box;font:14px/1.4 system-ui,sans-serif}",
    ".launcher{position:fixed;right:20px;bottom:20px;border:0;border-radius:24px;padding:12px 18px;color:#fff;background:var(--c);cursor:pointer;z-index:2147483000;box-shadow:0 2px 8px #0004}",
    ".panel{position:fixed;right:20px;bottom:80px;width:340px;max-width:calc(100vw - 40px);height:480px;max-height:calc(100vh - 100px);display:flex;flex-direction:column;background:#fff;color:#111;border-radius:12px;box-shadow:0 4px 24px #0005;z-index:2147483000;overflow:hidden}",
    ".panel[hidden]{display:none}header{display:flex;align-items:center;gap:8px;padding:10px 12px;background:var(--c);color:#fff}header img{height:24px}header b{flex:1}header button{background:none;border:0;color:#fff;cursor:pointer;font-size:18px}",
    ".log{flex:1;overflow-y:auto;padding:10px;display:flex;flex-direction:column;gap:6px}.msg{max-width:80%;padding:7px 10px;border-radius:10px;white-space:pre-wrap;word-wrap:break-word}",
    ".visitor{align-self:flex-end;background:var(--c);color:#fff}.agent{align-self:flex-start;background:#eef0f3}.pending{opacity:.6}.who{font-size:11px;opacity:.7;display:block}",
    ".note{font-size:12px;color:#555;text-align:center;padding:2px 8px}.status{font-size:11px;align-self:flex-end;color:#666}a{color:inherit}",
    "form{display:flex;gap:6px;padding:8px;border-top:1px solid #ddd}form.stack{flex-direction:column;border:0}input,textarea{flex:1;padding:7px;border:1px solid #bbb;border-radius:6px;color:#111;background:#fff}",
    "button.send,.stack button{background:var(--c);color:#fff;border:0;border-radius:6px;padding:7px 12px;cursor:pointer}label.file{cursor:pointer;padding:6px}label.file input{display:none}",
    ".tips{padding:6px 10px;border-top:1px solid #eee;max-height:40%;overflow-y:auto}.tips[hidden]{display:none}.tips a{display:block;padding:3px 0;color:var(--c);text-decoration:underline}",
    ".choices{display:flex;gap:4px;margin-top:6px;flex-wrap:wrap}.choice{border:1px solid #999;border-radius:6px;background:#fff;color:#111;padding:4px 9px;cursor:pointer}.choice[aria-pressed=true]{background:var(--c);color:#fff}"
  ].join("");
  root.appendChild(style);
  var launcher = el("button", "launcher");
  var panel = el("div", "panel");
  panel.hidden = !open;
  var header = el("header"), title = el("b"), mailBtn = el("button", "", "\u2709"), closeBtn = el("button", "", "\u00d7");
  var log = el("div", "log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  var typingLine = el("div", "note"), banner = el("div", "note"), tips = el("div", "tips");
  tips.hidden = true; tips.setAttribute("aria-live", "polite");
  typingLine.hidden = true; banner.hidden = true;
  var composer = el("form"), input = el("textarea"), fileLabel = el("label", "file", "\ud83d\udcce"), fileInput = el("input"), sendBtn = el("button", "send");
  input.rows = 1; input.name = "body"; fileInput.type = "file"; sendBtn.type = "submit";
  fileLabel.appendChild(fileInput);
  composer.appendChild(fileLabel); composer.appendChild(input); composer.appendChild(sendBtn);
  header.appendChild(title); header.appendChild(mailBtn); header.appendChild(closeBtn);
  panel.appendChild(header); panel.appendChild(banner); panel.appendChild(log); panel.appendChild(typingLine); panel.appendChild(tips); panel.appendChild(composer);
  root.appendChild(panel); root.appendChild(launcher);

  function t(k, arg) { var s = (config && config.strings[k]) || k; return arg === undefined ? s : s.replace("%s", arg); }

  function render() {
    log.textContent = "";
    if (config && config.greeting) log.appendChild(el("div", "msg agent", config.greeting));
    var list = Object.keys(messages).map(function (k) { return messages[k]; }).sort(function (a, b) { return a.id - b.id; });
    var lastVisitor = null;
    list.forEach(function (m) {
      var b = el("div", "msg " + m.from);
      b.setAttribute("data-id", m.id);
      if (m.from === "agent" && m.author) b.appendChild(el("span", "who", m.author));
      b.appendChild(document.createTextNode(m.body || ""));
      (m.files || []).forEach(function (f) {
        var a = el("a", "", f.name);
        a.href = src.origin + f.url + "?token=" + encodeURIComponent(token);
        a.target = "_blank"; a.rel = "noopener";
        b.appendChild(el("br")); b.appendChild(a);
      });
      if (m.choices && m.choices.length && m.answer_url) b.appendChild(choiceRow(m));
      log.appendChild(b);
      if (m.from === "visitor") lastVisitor = b;
    });
    if (lastVisitor && seen && !pending.length) log.appendChild(el("div", "status", t("seen")));
    pending.forEach(function (p) {
      var b = el("div", "msg visitor pending", p.body);
      b.setAttribute("data-cid", p.cid);
      log.appendChild(b);
    });
    notices.forEach(function (n) { log.appendChild(el("div", "note notice", n)); });
    if (queue > 0) {
      var q = el("div", "note queue", t("queue", queue));
      var leave = el("a", "", t("leave_message"));
      leave.href = "#"; leave.onclick = function (e) { e.preventDefault(); showOffline(); };
      q.appendChild(el("br")); q.appendChild(leave);
      log.appendChild(q);
    }
    log.scrollTop = log.scrollHeight;
    markRead();
  }

  function choiceRow(m) {  // a rating offered in the chat: one button per value, answered over HTTP
    var row = el("div", "choices"), chosen = load("choice:" + m.id, null);
    m.choices.forEach(function (c) {
      var btn = el("button", "choice", c.title);
      btn.type = "button"; btn.setAttribute("aria-pressed", String(chosen === c.value));
      btn.onclick = function () {
        var form = new FormData(); form.append("rating", c.value);
        fetch(m.answer_url, { method: "POST", body: form }).then(function (r) { return r.json(); }).then(function (d) {
          if (d.ok) { save("choice:" + m.id, c.value); render(); } else { row.appendChild(el("div", "note", d.message || "")); }
        });
      };
      row.appendChild(btn);
    });
    return row;
  }

  function add(m) {
    messages[m.id] = m;
    if (m.cid) { pending = pending.filter(function (p) { return p.cid !== m.cid; }); save("pending", pending); }
    if (m.from === "agent") { seen = true; queue = 0; }
  }

  function markRead() {
    if (!socket || socket.readyState !== 1 || panel.hidden || document.hidden) return;
    var top = 0;
    Object.keys(messages).forEach(function (k) { if (messages[k].from === "agent" && messages[k].id > top) top = messages[k].id; });
    if (top > readSent) { readSent = top; socket.send(JSON.stringify({ type: "read", up_to: top })); }
  }

  function send(item) {
    if (socket && socket.readyState === 1) socket.send(JSON.stringify({ type: "message", cid: item.cid, body: item.body }));
  }

  function connect() {
    socket = new WebSocket(wsUrl + "?token=" + encodeURIComponent(token));
    var ping = null;
    socket.onopen = function () {
      retry = 0; banner.hidden = true; sentPage = ""; sendPage();
      ping = setInterval(function () { if (socket.readyState === 1) socket.send('{"type":"ping"}'); }, 25000);
    };
    socket.onmessage = function (e) {
      var data = JSON.parse(e.data);
      if (data.type === "welcome") {
        messages = {}; readSent = 0;
        data.messages.forEach(add);
        seen = seen || data.agent_viewing; queue = data.queue || 0;
        if (!config.staffed && !data.messages.length && !pending.length) showOffline();
        render();
        pending.forEach(send);  // resend what the server never acknowledged
      } else if (data.type === "ack" || data.type === "message") {
        add(data.message);
        if (data.type === "ack" && data.queue !== undefined && !seen) queue = data.queue;
        if (data.message.from === "visitor") seen = false;
        render();
      } else if (data.type === "typing") {
        typingLine.textContent = t("typing"); typingLine.hidden = !data.active;
      } else if (data.type === "queue") {
        queue = data.position || 0; render();
      } else if (data.type === "notice") {
        notices.push(data.text); render();
      } else if (data.type === "seen") {
        if (!seen) { seen = true; render(); }
      } else if (data.type === "suggestions") {
        if (data.q === input.value.trim().slice(0, 500) && !started()) showTips(data.articles || []);
      } else if (data.type === "error") {
        pending = pending.filter(function (p) { return p.cid !== data.cid; }); save("pending", pending);
        banner.textContent = data.message; banner.hidden = false; render();
      }
    };
    socket.onclose = function (e) {
      clearInterval(ping);
      if (e.code === 4401) { token = ""; save("token", ""); start(); return; }
      banner.textContent = t("reconnecting"); banner.hidden = false; typingLine.hidden = true;
      retry = Math.min(retry + 1, 6);
      setTimeout(connect, Math.min(500 * Math.pow(2, retry - 1), 10000));
    };
  }

  // Where the visitor is (for the agents' context panel): on connect and on in-page navigation.
  function sendPage() {
    var here = location.href + "\n" + document.title;
    if (here === sentPage || !socket || socket.readyState !== 1) return;
    sentPage = here;
    socket.send(JSON.stringify({ type: "page", url: location.href, title: document.title, language: config.language,
      languages: (navigator.languages || [navigator.language || ""]).join(",") }));
  }
  ["pushState", "replaceState"].forEach(function (name) {
    var original = history[name];
    if (typeof original !== "function") return;
    history[name] = function () { var r = original.apply(this, arguments); setTimeout(sendPage, 0); return r; };
  });
  window.addEventListener("popstate", sendPage);
  window.addEventListener("hashchange", sendPage);

  function typing(active) {
    if (active === typingSent || !socket || socket.readyState !== 1) return;
    typingSent = active;
    socket.send(JSON.stringify({ type: "typing", active: active }));
  }

  // Articles that may answer the first message, while the visitor types it; reading one and leaving
  // without sending anything counts as a deflection (the server counts it when the socket closes).
  var tipTimer = null;
  function started() {
    return pending.length > 0 || Object.keys(messages).some(function (k) { return messages[k].from === "visitor"; });
  }
  function showTips(articles) {
    tips.textContent = "";
    tips.hidden = !articles.length;
    if (!articles.length) return;
    tips.appendChild(el("div", "note", t("suggested")));
    articles.forEach(function (a) {
      var link = el("a", "", a.title);
      link.href = a.url; link.target = "_blank"; link.rel = "noopener"; link.lang = a.language;
      link.setAttribute("data-article", a.article);
      link.onclick = function () {
        if (socket && socket.readyState === 1) socket.send(JSON.stringify({ type: "article_read", article: a.article, language: a.language }));
      };
      tips.appendChild(link);
    });
  }
  function askTips() {
    var q = input.value.trim();
    if (started() || q.length < 3 || !socket || socket.readyState !== 1) { showTips([]); return; }
    socket.send(JSON.stringify({ type: "suggest", q: q.slice(0, 500), lang: (config && config.language) || "" }));
  }

  composer.onsubmit = function (e) {
    e.preventDefault();
    var body = input.value.trim();
    if (!body) return;
    showTips([]);
    var item = { cid: cid(), body: body };
    pending.push(item); save("pending", pending);
    input.value = ""; typing(false); render(); send(item);
  };
  input.onkeydown = function (e) { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); composer.requestSubmit(); } };
  input.oninput = function () {
    typing(!!input.value.trim());
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { typing(false); }, 4000);
    clearTimeout(tipTimer);
    tipTimer = setTimeout(askTips, 400);
  };
  fileInput.onchange = function () {
    var file = fileInput.files[0];
    if (!file) return;
    post("upload/", { token: token, cid: cid(), language: config.language }, file).then(function (data) {
      add(data.message); render();
    }, function (err) { banner.textContent = (err && err.error && err.error.message) || t("failed"); banner.hidden = false; });
    fileInput.value = "";
  };
  function toggle(show) {
    open = show; save("open", open); panel.hidden = !open;
    if (open) { input.focus(); markRead(); }
  }
  launcher.onclick = function () { toggle(panel.hidden); };
  mailBtn.onclick = function () {
    var email = window.prompt(t("transcript"), load("email", ""));
    if (email === null) return;
    post("transcript/", { token: token, email: email }).then(function (d) {
      save("email", d.email); banner.textContent = t("transcript_sent"); banner.hidden = false;
    }, function (err) { banner.textContent = (err && err.error && err.error.message) || t("failed"); banner.hidden = false; });
  };
  closeBtn.onclick = function () { toggle(false); };
  document.addEventListener("visibilitychange", markRead);
  window.addEventListener("online", function () { if (socket && socket.readyState === 3) { retry = 0; connect(); } });

  function stackForm(fields, button, onSubmit) {
    var f = el("form", "stack");
    fields.forEach(function (spec) {
      var i = el(spec.type === "textarea" ? "textarea" : "input");
      i.name = spec.name; i.placeholder = t(spec.name);
      if (spec.type === "checkbox") {
        var l = el("label"); i.type = "checkbox"; l.appendChild(i); l.appendChild(document.createTextNode(" " + t(spec.name))); f.appendChild(l);
      } else { if (spec.type) i.type = spec.type; f.appendChild(i); }
    });
    var b = el("button", "", t(button)); b.type = "submit"; f.appendChild(b);
    f.onsubmit = function (e) {
      e.preventDefault();
      var values = {};
      Array.prototype.forEach.call(f.elements, function (i) { if (i.name) values[i.name] = i.type === "checkbox" ? (i.checked ? "1" : "") : i.value; });
      onSubmit(values, f);
    };
    return f;
  }

  function showOffline() {
    composer.hidden = true;
    log.hidden = true;
    if (panel.querySelector(".offline")) { panel.querySelector(".offline").hidden = false; return; }
    var box = el("div", "offline");
    box.style.overflowY = "auto"; box.style.flex = "1";
    box.appendChild(el("p", "note", t("offline_title") + " \u2014 " + t("offline_intro")));
    var form = stackForm([{ name: "name" }, { name: "email", type: "email" }, { name: "phone", type: "tel" }, { name: "message", type: "textarea" }, { name: "callback", type: "checkbox" }], "submit", function (v, f) {
      v.token = token; v.language = config.language; v.page_url = location.href;
      post("offline/", v).then(function (data) {
        box.textContent = ""; box.appendChild(el("p", "note", t("thanks", "#" + data.ticket)));
      }, function (err) { banner.textContent = (err && err.error && err.error.message) || t("failed"); banner.hidden = false; });
    });
    box.appendChild(form);
    panel.insertBefore(box, composer);
  }

  function showPrechat(then) {
    composer.hidden = true;
    var form = stackForm([{ name: "name" }, { name: "email", type: "email" }], "start", function (v) {
      v.token = token; v.language = config.language; v.page_url = location.href;
      post("prechat/", v).then(function () { save("identified", true); form.remove(); composer.hidden = false; then(); },
        function (err) { banner.textContent = (err && err.error && err.error.message) || t("failed"); banner.hidden = false; });
    });
    form.insertBefore(el("p", "note", t("prechat")), form.firstChild);
    panel.insertBefore(form, composer);
  }

  function start() {
    post("session/", { token: token }).then(function (data) {
      token = data.token; save("token", token);
      if (config.prechat && config.staffed && !load("identified", false) && !Object.keys(messages).length) showPrechat(connect);
      else connect();
    });
  }

  fetch(base + "config/?lang=" + encodeURIComponent(lang)).then(function (r) { return r.json(); }).then(function (c) {
    config = c;
    if (ds.greeting) config.greeting = ds.greeting;
    host.style.setProperty("--c", ds.color || c.color || "#2563eb");
    panel.style.setProperty("--c", ds.color || c.color || "#2563eb");
    launcher.textContent = t("open"); title.textContent = t("title"); sendBtn.textContent = t("send");
    input.placeholder = t("placeholder"); fileLabel.title = t("attach"); closeBtn.setAttribute("aria-label", t("close"));
    mailBtn.title = t("transcript"); mailBtn.setAttribute("aria-label", t("transcript"));
    var logo = ds.logo || c.logo;
    if (logo) { var img = el("img"); img.src = logo; img.alt = ""; header.insertBefore(img, title); }
    root.host.setAttribute("lang", c.language);
    document.body.appendChild(host);
    render();
    start();
  });
  window.HelplineChat = { open: function () { toggle(true); } };
})();
