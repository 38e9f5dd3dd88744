// Small helpers for the console's pages; everything else is HTMX attributes.
window.cardconsole = {
  // openDialog shows a <dialog> by id as a modal.
  openDialog: function (id) {
    var d = document.getElementById(id);
    if (d && !d.open) d.showModal();
  },
};

// A live section (hx-ext="sse") says in data-live whether its event stream is connected, so that it
// can show it; htmx reconnects by itself.
document.addEventListener("htmx:sseOpen", function (e) {
  e.target.dataset.live = "open";
});
document.addEventListener("htmx:sseError", function (e) {
  e.target.dataset.live = "reconnecting";
});
