// Team screens: copy an invitation link, password strength feedback, recovery codes as a text file.
(function () {
  "use strict";

  document.addEventListener("click", function (ev) {
    var copy = ev.target.closest("[data-copy]");
    if (copy) {
      var input = document.getElementById(copy.getAttribute("data-copy"));
      input.select();
      if (navigator.clipboard) {
        navigator.clipboard.writeText(input.value);
      }
      copy.textContent = copy.getAttribute("data-copied") || "Copied";
      return;
    }
    var dl = ev.target.closest("[data-download]");
    if (dl) {
      var text = document.getElementById(dl.getAttribute("data-download")).textContent;
      var a = document.createElement("a");
      a.href = URL.createObjectURL(new Blob([text + "\n"], { type: "text/plain" }));
      a.download = dl.getAttribute("data-filename");
      a.click();
      URL.revokeObjectURL(a.href);
    }
  });

  // A rough hint while typing; the server's password policy has the last word.
  document.addEventListener("input", function (ev) {
    var target = ev.target.getAttribute && ev.target.getAttribute("data-strength");
    if (!target) {
      return;
    }
    var pw = ev.target.value;
    var kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter(function (r) { return r.test(pw); }).length;
    var words = pw.trim().split(/\s+/).length;
    var say = function (name, english) { return ev.target.getAttribute("data-strength-" + name) || english; };
    var msg = say("short", "Too short: use at least 12 characters.");
    if (pw.length >= 12) {
      msg = (pw.length >= 20 || words >= 4 || kinds >= 3) ? say("strong", "Looks strong.") : say("weak", "Could be stronger: add another word.");
    }
    document.getElementById(target).textContent = msg;
  });
})();

// The operator page's grants checklist: what saving would add and remove, in words.
(function () {
  "use strict";
  document.addEventListener("change", function (ev) {
    var form = ev.target.closest && ev.target.closest("form[data-grants-diff]");
    if (!form) {
      return;
    }
    var added = [], removed = [];
    form.querySelectorAll("input[data-held]").forEach(function (box) {
      var held = box.getAttribute("data-held") === "true";
      if (box.checked && !held) {
        added.push(box.getAttribute("data-words"));
      } else if (!box.checked && held) {
        removed.push(box.getAttribute("data-words"));
      }
    });
    var out = document.getElementById(form.getAttribute("data-grants-diff"));
    out.textContent = "";
    if (!added.length && !removed.length) {
      out.textContent = form.getAttribute("data-no-changes") || "No changes yet.";
      return;
    }
    [[form.getAttribute("data-granted") || "Will be granted: ", added],
      [form.getAttribute("data-removed") || "Will be taken away: ", removed]].forEach(function (part) {
      if (part[1].length) {
        var p = document.createElement("p");
        p.textContent = part[0] + part[1].join("; ");
        out.appendChild(p);
      }
    });
  });
})();
