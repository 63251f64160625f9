/* Ticket list: row selection and the bulk bar, and live refresh of changed rows and counts. */
(function () {
  "use strict";

  var list = document.getElementById("ticket-list");
  var live = document.getElementById("desk-live");
  if (!list) return;

  var lastChecked = null;

  function boxes() {
    return Array.prototype.slice.call(list.querySelectorAll("input[name=tickets]"));
  }

  function selected() {
    return boxes().filter(function (box) {
      return box.checked;
    });
  }

  function syncBulkBar() {
    var bar = list.querySelector("[data-bulkbar]");
    var chosen = selected();
    boxes().forEach(function (box) {
      var row = box.closest("tr");
      if (row) row.classList.toggle("selected", box.checked);
    });
    if (bar) {
      bar.hidden = chosen.length === 0;
      var count = bar.querySelector("[data-selected-count]");
      if (count) count.textContent = String(chosen.length);
      syncBulkInputs(bar);
    }
    var all = list.querySelector("[data-select-all]");
    if (all) {
      var total = boxes().length;
      all.checked = total > 0 && chosen.length === total;
      all.indeterminate = chosen.length > 0 && chosen.length < total;
    }
  }

  function syncBulkInputs(bar) {
    var action = bar.querySelector("[data-bulk-action]");
    if (!action) return;
    bar.querySelectorAll("[data-bulk-for]").forEach(function (input) {
      input.hidden = input.getAttribute("data-bulk-for") !== action.value;
    });
  }

  list.addEventListener("click", function (event) {
    var box = event.target;
    if (box.matches("input[name=tickets]")) {
      if (event.shiftKey && lastChecked && lastChecked !== box) {
        var all = boxes();
        var from = all.indexOf(lastChecked);
        var to = all.indexOf(box);
        all.slice(Math.min(from, to), Math.max(from, to) + 1).forEach(function (b) {
          b.checked = box.checked;
        });
      }
      lastChecked = box;
      syncBulkBar();
    } else if (box.matches("[data-select-all]")) {
      boxes().forEach(function (b) {
        b.checked = box.checked;
      });
      syncBulkBar();
    } else if (box.matches("[data-clear-selection]")) {
      boxes().forEach(function (b) {
        b.checked = false;
      });
      syncBulkBar();
    }
  });

  list.addEventListener("change", function (event) {
    if (event.target.matches("[data-bulk-action]")) syncBulkInputs(event.target.closest("form"));
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target === list) {
      lastChecked = null;
      syncBulkBar();
    }
  });

  syncBulkBar();

  if (!live) return;

  var countsUrl = live.getAttribute("data-counts-url");
  var rowUrl = live.getAttribute("data-row-url");
  var notice = document.getElementById("list-notice");

  function refreshCounts() {
    fetch(countsUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) {
        return r.ok ? r.json() : null;
      })
      .then(function (counts) {
        if (!counts) return;
        document.querySelectorAll("[data-count-for]").forEach(function (el) {
          var key = el.getAttribute("data-count-for");
          if (key in counts) el.textContent = counts[key] === null ? "" : String(counts[key]);
        });
      })
      .catch(function () {});
  }

  refreshCounts();
  if (!window.HelplineLive) return;

  function onFirstPage() {
    return !new URLSearchParams(window.location.search).get("cursor");
  }

  function refreshList() {
    if (notice) notice.hidden = true;
    if (window.htmx) {
      window.htmx.ajax("GET", window.location.pathname + window.location.search, {
        target: "#ticket-list",
        swap: "innerHTML",
      });
    } else {
      window.location.reload();
    }
  }

  function refreshRow(number) {
    var row = document.getElementById("ticket-row-" + number);
    if (!row) return false;
    var url = rowUrl.replace(/\/0\/row\/$/, "/" + number + "/row/");
    fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (r) {
        return r.status === 200 ? r.text() : null;
      })
      .then(function (html) {
        var current = document.getElementById("ticket-row-" + number);
        if (!html || !current) return;
        var template = document.createElement("template");
        template.innerHTML = html.trim();
        var fresh = template.content.firstElementChild;
        if (!fresh) return;
        var oldBox = current.querySelector("input[name=tickets]");
        var newBox = fresh.querySelector("input[name=tickets]");
        if (oldBox && newBox) newBox.checked = oldBox.checked;
        fresh.classList.add("flash");
        current.replaceWith(fresh);
        if (window.htmx) window.htmx.process(fresh);
        syncBulkBar();
      })
      .catch(function () {});
    return true;
  }

  var pending = {};
  var listDirty = false;
  var flush = window.HelplineLive.debounce(function () {
    var numbers = Object.keys(pending);
    pending = {};
    var dirty = listDirty;
    listDirty = false;
    refreshCounts();
    if (dirty && selected().length === 0 && onFirstPage()) {
      refreshList();
      return;
    }
    numbers.forEach(refreshRow);
    if (dirty && notice) notice.hidden = false;
  }, 1200);

  if (notice) {
    notice.addEventListener("click", function (event) {
      if (event.target.matches("[data-refresh-list]")) refreshList();
    });
  }

  window.HelplineLive.connect(live.getAttribute("data-ws"), {
    onOpen: function (info) {
      if (info.reconnected) {
        listDirty = true;
        flush();
      }
    },
    onMessage: function (data) {
      if (data.type !== "ticket.changed") return;
      if (document.getElementById("ticket-row-" + data.number)) {
        pending[data.number] = true;
      } else {
        listDirty = true;
      }
      flush();
    },
  });
})();
