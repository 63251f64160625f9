// Macro picker in the ticket composer: apply the chosen macro and put its text where the cursor is.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("[data-macro-picker]")) return;
    var option = select.options[select.selectedIndex];
    if (!option || !option.value) return;
    var form = select.closest("form");
    var body = document.getElementById("composer-body");
    var token = form ? form.querySelector("input[name=csrfmiddlewaretoken]") : null;
    var status = document.querySelector("[data-macro-status]");
    fetch(option.getAttribute("data-url"), {
      method: "POST",
      headers: { "X-CSRFToken": token ? token.value : "", "X-Requested-With": "fetch" },
      credentials: "same-origin",
    })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (data.error) { if (status) status.textContent = data.error; return; }
        if (body && data.text) {
          var start = body.selectionStart || body.value.length;
          body.value = body.value.slice(0, start) + data.text + body.value.slice(body.selectionEnd || start);
          body.dispatchEvent(new Event("input", { bubbles: true }));
          body.focus();
        }
        if (status) status.textContent = data.changed ? select.getAttribute("data-changed-text") : "";
      })
      .finally(function () { select.selectedIndex = 0; });
  });
})();
