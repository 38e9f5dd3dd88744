// Small helpers for the console's pages; everything else is HTMX attributes. The Content-Security-
// Policy allows no inline script, so behaviour is bound here to data- attributes by delegation
// (which also covers content HTMX swaps in later).
window.cardconsole = window.cardconsole || {};
Object.assign(window.cardconsole, {
  // openDialog shows a <dialog> by id as a modal.
  openDialog: function (id) {
    var d = document.getElementById(id);
    if (d && !d.open) d.showModal();
  },
});

document.addEventListener("click", function (e) {
  var el = e.target.closest("[data-open-dialog], [data-close-dialog], [data-dismiss], [data-clear-closest], [data-menu-toggle]");
  if (!el) return;
  if (el.hasAttribute("data-menu-toggle")) {
    // The header's menu on a narrow screen: the button shows or hides the navigation it controls.
    var menu = document.getElementById(el.getAttribute("data-menu-toggle"));
    var open = el.getAttribute("aria-expanded") !== "true";
    el.setAttribute("aria-expanded", open ? "true" : "false");
    if (menu) menu.classList.toggle("hidden", !open);
  } else if (el.hasAttribute("data-open-dialog")) {
    window.cardconsole.openDialog(el.getAttribute("data-open-dialog"));
  } else if (el.hasAttribute("data-close-dialog")) {
    // A submit button also closes its dialog; its form is submitted all the same.
    var dialog = el.closest("dialog");
    if (dialog) dialog.close();
  } else if (el.hasAttribute("data-dismiss")) {
    el.parentElement.remove();
  } else {
    var target = el.closest(el.getAttribute("data-clear-closest"));
    if (target) target.replaceChildren();
  }
});

// A checkbox with data-select-all checks or clears every box its selector names.
document.addEventListener("change", function (e) {
  var el = e.target;
  if (el.matches("[data-select-all]")) {
    document.querySelectorAll(el.getAttribute("data-select-all")).forEach(function (box) {
      box.checked = el.checked;
    });
  }
  // A file input with data-max-bytes flags a file over the limit before it is sent (the server
  // enforces the limit anyway).
  if (el.matches("input[type=file][data-max-bytes]")) {
    var max = Number(el.getAttribute("data-max-bytes"));
    var tooBig = el.files.length > 0 && el.files[0].size > max;
    el.setCustomValidity(tooBig ? el.getAttribute("data-max-message") : "");
  }
});

// A form with data-no-submit is only sent by its HTMX buttons, never by Enter.
document.addEventListener("submit", function (e) {
  if (e.target.matches("form[data-no-submit]")) e.preventDefault();
});

// A form with data-clear-otp forgets its one-time code after a successful request: a code is used once.
// A change that went through also takes away the error alerts of earlier attempts (a wrong code, a
// refusal), which no longer describe the page.
document.addEventListener("htmx:afterRequest", function (e) {
  if (!e.detail.successful) return;
  var form = e.target.closest && e.target.closest("form[data-clear-otp]");
  if (form) {
    var otp = form.querySelector("[name=otp]");
    if (otp) otp.value = "";
  }
  var verb = e.detail.requestConfig && e.detail.requestConfig.verb;
  if (verb && verb !== "get") {
    document.querySelectorAll("#flash > [role=alert]").forEach(function (alert) {
      alert.remove();
    });
  }
});

// Every form shows that it is being sent: its submit buttons (or the button that sent an HTMX
// request) are disabled and marked aria-busy, which the stylesheet shows as a spinner, until the
// answer arrives. A slow answer is not taken for a dead click, and the same change is not sent twice.
(function () {
  function buttonsOf(elt) {
    if (elt.matches("button")) return [elt];
    if (!elt.matches("form")) return [];
    var own = Array.prototype.slice.call(elt.querySelectorAll("button:not([type=button]):not([type=reset])"));
    if (elt.id) {
      own = own.concat(Array.prototype.slice.call(document.querySelectorAll('button[form="' + elt.id + '"]:not([type=button])')));
    }
    return own;
  }
  // markBusy returns the buttons it marked: those already disabled are left as they are.
  function markBusy(buttons) {
    return buttons.filter(function (b) {
      if (b.disabled) return false;
      b.disabled = true;
      b.setAttribute("aria-busy", "true");
      return true;
    });
  }
  function clearBusy(buttons) {
    buttons.forEach(function (b) {
      b.disabled = false;
      b.removeAttribute("aria-busy");
    });
  }
  // The buttons of each request in flight, by the element that sent it, so that one answer frees
  // only its own form.
  var busy = new WeakMap();
  document.addEventListener("htmx:beforeRequest", function (e) {
    var elt = e.detail.elt;
    if (elt && elt.matches) busy.set(elt, (busy.get(elt) || []).concat(markBusy(buttonsOf(elt))));
  });
  ["htmx:afterRequest", "htmx:sendError", "htmx:timeout", "htmx:sendAbort"].forEach(function (name) {
    document.addEventListener(name, function (e) {
      var elt = e.detail && e.detail.elt;
      if (!elt || !busy.has(elt)) return;
      clearBusy(busy.get(elt));
      busy.delete(elt);
    });
  });
  // A form the browser sends itself (sign-in, language, log out) leaves the page: its buttons are
  // marked busy at once but stay enabled, so that the button that sent it still counts in what the
  // browser sends, and a second submit of the same form is ignored instead.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (e.defaultPrevented || !form.matches("form")) return;
    if (form.hasAttribute("data-submitting")) {
      e.preventDefault();
      return;
    }
    form.setAttribute("data-submitting", "");
    buttonsOf(form).forEach(function (b) {
      b.setAttribute("aria-busy", "true");
    });
  });
  // A page shown again from the back-forward cache has nothing in flight.
  window.addEventListener("pageshow", function (e) {
    if (!e.persisted) return;
    clearBusy(Array.prototype.slice.call(document.querySelectorAll('button[aria-busy="true"]')));
    document.querySelectorAll("form[data-submitting]").forEach(function (f) {
      f.removeAttribute("data-submitting");
    });
  });
})();

// A live section (hx-ext="sse") says in data-live whether its event stream is connected, so that it
// can show it; htmx reconnects by itself.
document.addEventListener("htmx:sseOpen", function (e) {
  e.target.dataset.live = "open";
});
document.addEventListener("htmx:sseError", function (e) {
  e.target.dataset.live = "reconnecting";
});

// The requests bell follows the pending count. The stream closes when the page is hidden (left, or
// kept in the back-forward cache), so no page the operator left holds a connection, and it opens
// again when the page shows.
(function () {
  var bell = document.querySelector("[data-requests-bell]");
  if (!bell) return;
  var slot = bell.querySelector("[data-bell-slot]");
  var source = null;
  function open() {
    if (source) return;
    source = new EventSource(bell.getAttribute("data-stream"));
    source.addEventListener("open", function () {
      bell.setAttribute("data-live", "open");
    });
    source.addEventListener("pending", function (e) {
      var before = slot.textContent.trim();
      slot.innerHTML = e.data;
      if (slot.textContent.trim() === before) return;
      // The bell's name follows the count ("3 pending requests"), and the change is announced.
      var count = slot.querySelector("[data-label]");
      if (count) {
        var label = count.getAttribute("data-label");
        bell.setAttribute("aria-label", label);
        bell.setAttribute("title", label);
        if (window.cardconsole.announce) window.cardconsole.announce(label);
      }
      // A changed count refreshes the list of requests on the page (the queue) from its own
      // address, so its filters and page are kept.
      var list = document.querySelector("[data-refresh-on-pending]");
      if (list && window.htmx) {
        htmx.ajax("GET", list.getAttribute("data-refresh-on-pending"), { source: list, target: list, swap: "outerHTML settle:0ms" });
      }
    });
  }
  window.addEventListener("pagehide", function () {
    if (source) {
      source.close();
      source = null;
      bell.removeAttribute("data-live");
    }
  });
  window.addEventListener("pageshow", open);
  open();
})();
