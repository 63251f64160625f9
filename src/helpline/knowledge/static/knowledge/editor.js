// Knowledge base: Markdown preview in the editor, and article links inserted into the ticket reply.
(function () {
  "use strict";
  function csrf() {
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  document.addEventListener("click", function (event) {
    var preview = event.target.closest("[data-kb-preview]");
    if (preview) {
      var body = document.querySelector("textarea[name=body]");
      var data = new FormData();
      data.append("body", body ? body.value : "");
      fetch(preview.getAttribute("data-kb-preview"), { method: "POST", body: data, headers: { "X-CSRFToken": csrf() }, credentials: "same-origin" })
        .then(function (r) { return r.text(); })
        .then(function (html) { document.getElementById("kb-preview").innerHTML = html; });  // sanitised on the server
      return;
    }
    var reuse = event.target.closest("[data-kb-reuse]");
    if (reuse) {
      var composer = document.querySelector("form textarea[name=body]");
      if (!composer) return;
      composer.value = (composer.value ? composer.value + "\n\n" : "") + reuse.getAttribute("data-kb-reuse");
      composer.focus();
      composer.dispatchEvent(new Event("input", { bubbles: true }));
      return;
    }
    var insert = event.target.closest("[data-kb-insert]");
    if (insert) {
      var reply = document.querySelector("form textarea[name=body]");
      if (!reply) return;
      var text = insert.getAttribute("data-kb-title") + ": " + insert.getAttribute("data-kb-insert");
      var start = reply.selectionStart || reply.value.length;
      reply.value = reply.value.slice(0, start) + (start && reply.value[start - 1] !== "\n" ? "\n" : "") + text + "\n" + reply.value.slice(start);
      reply.focus();
      reply.dispatchEvent(new Event("input", { bubbles: true }));
    }
  });
  var similar = document.querySelector("[data-kb-similar]");
  if (similar) {
    fetch(similar.getAttribute("data-kb-similar"), { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) { similar.innerHTML = html; });
  }
  var search = document.querySelector("[data-kb-search]");
  if (search) {
    var timer = null;
    var target = document.getElementById("kb-suggest-results");
    var run = function () {
      var url = search.getAttribute("data-kb-search") + "?q=" + encodeURIComponent(search.value);
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) { target.innerHTML = html; });
    };
    search.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 300); });
    if (search.value) run();
  }
})();
