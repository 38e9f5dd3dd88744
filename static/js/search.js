// Header search: "/" focuses the box (unless the operator is typing elsewhere), the arrow keys move
// through the results dropdown and Enter opens the chosen result. HTMX fills the dropdown.
(function () {
  "use strict";
  function box() { return document.querySelector("[data-search-input]"); }
  function results() {
    return Array.prototype.slice.call(document.querySelectorAll("#search-results [data-search-hit]"));
  }
  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
  }
  function move(step) {
    var hits = results();
    if (hits.length === 0) { return; }
    var at = hits.indexOf(document.activeElement);
    var next = at + step;
    if (next < 0) { box().focus(); return; }
    if (next >= hits.length) { next = hits.length - 1; }
    hits[next].focus();
  }
  document.addEventListener("keydown", function (e) {
    var input = box();
    if (!input) { return; }
    if (e.key === "/" && !typing(document.activeElement)) {
      e.preventDefault();
      input.focus();
      input.select();
      return;
    }
    var inSearch = document.activeElement === input || results().indexOf(document.activeElement) >= 0;
    if (!inSearch) { return; }
    if (e.key === "ArrowDown") { e.preventDefault(); move(1); }
    else if (e.key === "ArrowUp") { e.preventDefault(); move(-1); }
    else if (e.key === "Enter" && document.activeElement === input) {
      e.preventDefault();
      var first = results()[0];
      if (first) { window.location.assign(first.getAttribute("href")); }
    } else if (e.key === "Escape") {
      document.getElementById("search-results").replaceChildren();
      input.blur();
    }
  });
})();
