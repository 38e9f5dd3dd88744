// Small helpers for the console's pages; everything else is HTMX attributes.
window.cardconsole = {
  // openDialog shows a <dialog> by id as a modal.
  openDialog: function (id) {
    var d = document.getElementById(id);
    if (d && !d.open) d.showModal();
  },
};
