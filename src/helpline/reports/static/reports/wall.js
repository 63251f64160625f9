// Wall board: refetch the figures whenever the desk WebSocket says something changed (a ticket event,
// an agent's availability, an SLA breach found by the sweep), and every 30 s as a fallback.
(function () {
  "use strict";
  const wall = document.getElementById("wall");
  if (!wall) return;
  const stamp = document.querySelector("[data-wall-updated]");
  let pending = null;
  async function refresh() {
    pending = null;
    try {
      const response = await fetch(wall.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) return;
      const figures = await response.json();
      wall.querySelectorAll("[data-figure]").forEach((el) => {
        const value = figures[el.dataset.figure];
        if (value !== undefined && String(value) !== el.textContent) el.textContent = value;
      });
      const card = wall.querySelector("[data-breach-card]");
      if (card) card.classList.toggle("alert-on", figures.sla_breached > 0);
      if (stamp) stamp.textContent = new Date(figures.at).toLocaleTimeString();
    } catch (e) { /* offline: the next tick retries */ }
  }
  function soon() { if (!pending) pending = setTimeout(refresh, 800); }
  function connect() {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(proto + "//" + location.host + wall.dataset.ws);
    socket.onopen = () => { wall.dataset.live = "true"; };
    socket.onmessage = soon;
    socket.onclose = () => { wall.dataset.live = "false"; setTimeout(connect, 5000); };
  }
  connect();
  setInterval(refresh, 30000);
})();
