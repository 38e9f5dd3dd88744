// Bulk files page: follows the progress stream of each batch panel on the page. Frames are the
// batch id, a space and {processed, total, succeeded, failed, status}; the bar and the counts move
// with them, and when the batch ends the error file buttons show (if rows failed) and the history
// reloads.
(function () {
  var finals = ["COMPLETED", "REJECTED", "CANCELLED"];

  function watch(panel) {
    if (panel.dataset.watching) return;
    panel.dataset.watching = "1";
    var id = panel.dataset.batchId;
    var part = function (name) { return panel.querySelector('[data-bulk="' + name + '"]'); };
    var source = new EventSource(panel.dataset.bulkProgress);
    source.onmessage = function (e) {
      var space = e.data.indexOf(" ");
      if (e.data.slice(0, space) !== id) return;
      var p = JSON.parse(e.data.slice(space + 1));
      var pct = p.total ? Math.floor((100 * p.processed) / p.total) : 0;
      part("bar").value = pct;
      part("percent").textContent = pct;
      ["processed", "total", "succeeded", "failed"].forEach(function (k) {
        part(k).textContent = p[k];
      });
      var words = JSON.parse(panel.dataset.statusWords || "{}");
      part("status").textContent = words[p.status] || p.status;
      part("status").dataset.status = p.status;
      if (finals.indexOf(p.status) >= 0) {
        source.close();
        part("errors").hidden = p.failed === 0;
        if (window.htmx) window.htmx.trigger(document.body, "bulk-changed");
      }
    };
  }

  function scan(root) {
    if (!root || !root.querySelectorAll) return;
    if (root.matches && root.matches("[data-bulk-progress]")) watch(root);
    root.querySelectorAll("[data-bulk-progress]").forEach(watch);
  }

  document.addEventListener("DOMContentLoaded", function () { scan(document); });
  document.addEventListener("htmx:load", function (e) { scan(e.detail.elt); });
})();
