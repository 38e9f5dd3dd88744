// Idle timeout: the server ends a console session after data-idle-seconds without a request. A
// minute before, the page says so and offers to stay signed in (a keep-alive request); when the time
// is up it goes to the sign-in page. Every HTMX request counts as activity, as it does on the server.
(function () {
  var body = document.body;
  var idle = parseInt(body.dataset.idleSeconds || "0", 10);
  if (!idle) return;
  var warning = document.getElementById("idle-warning");
  var stay = document.querySelector('[data-testid="idle-stay"]');
  var warnTimer, endTimer;

  function schedule() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    if (warning) warning.hidden = true;
    warnTimer = setTimeout(function () {
      if (warning) warning.hidden = false;
    }, Math.max(idle - 60, 0) * 1000);
    endTimer = setTimeout(function () {
      window.location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search));
    }, idle * 1000);
  }

  function csrfToken() {
    try {
      return JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";
    } catch (e) {
      return "";
    }
  }

  if (stay) {
    stay.addEventListener("click", function () {
      fetch("/session/keepalive", { method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": csrfToken() } })
        .then(function (r) {
          if (r.ok) schedule();
          else window.location.assign("/login");
        });
    });
  }
  document.addEventListener("htmx:afterRequest", schedule);
  schedule();
})();
