{% load i18n %}/* Helpline: embed the request form. Include with
 *   <script src="https://desk.example/portal/embed.js" data-lang="en" data-subject="…" async></script>
 * Options (data attributes): lang, subject, name, email, target (CSS selector), min-height.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) {
    var all = document.querySelectorAll('script[src*="/portal/embed.js"]');
    script = all[all.length - 1];
  }
  if (!script || script.getAttribute("data-helpline-ready")) return;
  script.setAttribute("data-helpline-ready", "1");

  var origin = new URL(script.src, document.baseURI).origin;
  var src = new URL(origin + "{{ embed_path|escapejs }}");
  ["lang", "subject", "name", "email"].forEach(function (key) {
    var value = script.getAttribute("data-" + key);
    if (value) src.searchParams.set(key, value);
  });

  var frame = document.createElement("iframe");
  frame.src = src.toString();
  frame.title = script.getAttribute("data-title") || "{% filter escapejs %}{% translate 'Support request form' %}{% endfilter %}";
  frame.setAttribute("loading", "lazy");
  frame.style.cssText = "width:100%;max-width:100%;border:0;display:block;overflow:hidden;";
  frame.style.height = (parseInt(script.getAttribute("data-min-height"), 10) || 480) + "px";

  var target = script.getAttribute("data-target");
  var container = target ? document.querySelector(target) : null;
  if (container) {
    container.appendChild(frame);
  } else if (script.parentNode) {
    script.parentNode.insertBefore(frame, script.nextSibling);
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== origin || event.source !== frame.contentWindow) return;
    var data = event.data || {};
    if (data.type === "helpline:resize" && typeof data.height === "number" && data.height > 0) {
      frame.style.height = Math.ceil(data.height) + "px";
    } else if (data.type === "helpline:submitted") {
      var detail = { number: data.number || null };
      (container || script).dispatchEvent(new CustomEvent("helpline:submitted", { detail: detail, bubbles: true }));
    }
  });
})();
