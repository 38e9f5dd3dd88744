// Keyboard and screen reader support across HTMX swaps (no inline script: the Content-Security-Policy
// allows none).
//
// Focus: after a swap the operator asked for (a click, a submit, a key), focus stays where it is
// when that element is still on the page; when the swap removed it, focus moves into the updated
// region: to its element marked data-autofocus, else its first invalid field, else its first
// heading, else the region itself. A refresh that replaced the region holding the focus (the queue
// after its Approve button) does the same. Other live updates never move focus.
//
// Invalid fields: a field shown with its error message is marked aria-invalid.
//
// Announcements: a region with data-live-label that a live update replaced says its label (e.g.
// "3 pending in the queue") in the page's status region, #live-status, when the label changed.
(function () {
  "use strict";

  function announce(text) {
    var status = document.getElementById("live-status");
    if (!status || !text) return;
    // Emptying first makes a repeated text a change that screen readers read again.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }
  window.cardconsole = window.cardconsole || {};
  window.cardconsole.announce = announce;

  function focusable(el) {
    if (!el.hasAttribute("tabindex") && !el.matches("a[href], button, input, select, textarea")) {
      el.setAttribute("tabindex", "-1");
    }
    el.focus({ preventScroll: false });
  }

  // A field with an error message (data-field-error, inside the field's label or right after the
  // field) is marked aria-invalid, so that screen readers say so and focus can go to it.
  function markInvalid(root) {
    root.querySelectorAll("[data-field-error]").forEach(function (msg) {
      var label = msg.closest("label");
      var field = label ? label.querySelector("input, select, textarea") : msg.previousElementSibling;
      if (field && field.matches("input, select, textarea")) field.setAttribute("aria-invalid", "true");
    });
  }
  markInvalid(document);

  function focusInto(region) {
    var target = region.querySelector("[data-autofocus]") ||
      region.querySelector("[aria-invalid=true]") ||
      region.querySelector("h1, h2, h3") ||
      region;
    focusable(target);
  }

  function lost() {
    var a = document.activeElement;
    return !a || a === document.body || !document.body.contains(a);
  }

  // The regions settled by the current swap, gathered over its afterSettle events (one per swapped
  // element, out-of-band ones included) and handled once.
  var settled = [];
  var labels = new WeakMap(); // a live region's label before its swap
  // Set when a swap begins that the operator asked for or that replaces the element they are on;
  // kept until focus has been placed, since a live update may replace the region again before its
  // settle (the settle of a region no longer on the page is never heard). focusRegion is the region
  // whose replacement takes the focus when several settle together.
  var placeFocus = false;
  var focusRegion = null;

  function byPerson(detail) {
    var cfg = detail && detail.requestConfig;
    return !!(cfg && cfg.triggeringEvent && cfg.triggeringEvent.isTrusted);
  }

  document.addEventListener("htmx:beforeSwap", function (e) {
    var region = e.detail.target;
    if (!region || !region.hasAttribute) return;
    if (region.hasAttribute("data-live-label")) labels.set(region, region.getAttribute("data-live-label"));
    var a = document.activeElement;
    var holds = a && a !== document.body && region.contains(a);
    if (holds || (byPerson(e.detail) && !placeFocus)) {
      placeFocus = true;
      focusRegion = region;
    }
  });

  document.addEventListener("htmx:afterSettle", function (e) {
    if (!(e.target instanceof Element)) return;
    markInvalid(e.target);
    var old = e.detail && e.detail.target;
    settled.push({ region: e.target, old: old, before: old && labels.get(old) });
    if (settled.length > 1) return;
    window.setTimeout(function () {
      var batch = settled;
      settled = [];
      if (placeFocus) {
        var wanted = focusRegion;
        var live = batch.filter(function (s) { return s.region.isConnected; });
        var match = live.filter(function (s) {
          return s.old === wanted || s.region === wanted || (wanted && wanted.id && s.region.id === wanted.id) ||
            // A refresh of the region around it replaced the element the operator acted on.
            (wanted && s.old && s.old !== s.region && s.old.contains(wanted));
        })[0];
        // The region that held the focus was replaced but has not settled yet: wait for it.
        if (match || !wanted || wanted.isConnected || !lost()) {
          placeFocus = false;
          focusRegion = null;
          if (!lost()) return;
          var main = match || live.filter(function (s) { return !s.region.closest("#flash"); })[0] || live[0];
          if (main) focusInto(main.region);
          return;
        }
      }
      batch.forEach(function (s) {
        var label = s.region.isConnected && s.region.getAttribute("data-live-label");
        if (label && label !== s.before) announce(label);
      });
    }, 0);
  });
})();
