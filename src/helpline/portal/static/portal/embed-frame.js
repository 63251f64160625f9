/* Inside the embedded form: tell the host page our height (and when a request was sent). */
(function () {
  "use strict";
  if (window.parent === window) return;
  var last = 0;
  function report() {
    // The body's own height, not the document's: that one never shrinks below the frame.
    var height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height !== last) {
      last = height;
      window.parent.postMessage({ type: "helpline:resize", height: height }, "*");
    }
  }
  if ("ResizeObserver" in window) {
    new ResizeObserver(report).observe(document.body);
  } else {
    window.addEventListener("resize", report);
    setInterval(report, 500);
  }
  window.addEventListener("load", report);
  report();
  var received = document.querySelector("[data-ticket-number]");
  if (received) {
    var number = parseInt(received.getAttribute("data-ticket-number"), 10) || null;
    window.parent.postMessage({ type: "helpline:submitted", number: number }, "*");
  }
})();
