// The review desk's only script: keyboard moves in lists, copy buttons, import progress polling.
// Plain JavaScript, served by claimcheck itself (newsrooms run it offline); the pages work without it.
(function () {
  "use strict";

  function typingInField(event) {
    var target = event.target;
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  // Queue: j / k move the selection, Enter opens the selected claim.
  function setUpKeyboardList(table) {
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-href]"));
    if (!rows.length) return;
    var selected = -1;

    function select(index) {
      if (selected >= 0) rows[selected].classList.remove("selected");
      selected = Math.max(0, Math.min(rows.length - 1, index));
      var row = rows[selected];
      row.classList.add("selected");
      // Focus goes to the row's link, so screen readers announce the claim and Enter opens it.
      var link = row.querySelector("a");
      if (link) link.focus({ preventScroll: true });
      row.scrollIntoView({ block: "nearest" });
    }

    rows.forEach(function (row, index) {
      row.addEventListener("focusin", function () {
        if (selected !== index) {
          if (selected >= 0) rows[selected].classList.remove("selected");
          selected = index;
          row.classList.add("selected");
        }
      });
    });

    document.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey || typingInField(event)) return;
      if (event.key === "j") {
        event.preventDefault();
        select(selected + 1);
      } else if (event.key === "k") {
        event.preventDefault();
        select(selected - 1);
      } else if (event.key === "Enter" && selected >= 0 && document.activeElement === document.body) {
        window.location.href = rows[selected].getAttribute("data-href");
      }
    });
  }

  // Copy buttons: copy the text of the element named by data-copy-target.
  function setUpCopyButton(button) {
    var status = button.parentNode.querySelector(".copy-status");
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy-target"));
      if (!source) return;
      var text = source.textContent;
      function done(message) {
        if (status) status.textContent = message;
      }
      function selectIt() {
        var range = document.createRange();
        range.selectNodeContents(source);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        done("Selected: press Ctrl+C to copy.");
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { done("Copied."); }, selectIt);
      } else {
        selectIt();
      }
    });
  }

  // Import page: poll the job's counters while it runs, then reload to list the bad rows.
  function setUpImportProgress(panel) {
    var status = panel.getAttribute("data-status");
    if (status !== "queued" && status !== "running") return;
    var id = panel.getAttribute("data-import-id");
    var bar = document.getElementById("job-bar");
    function show(name, value) {
      var cell = document.getElementById("job-" + name);
      if (cell) cell.textContent = value;
    }
    function poll() {
      fetch("/ui/imports/" + id + "/progress", { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error("progress " + response.status);
          return response.json();
        })
        .then(function (job) {
          ["status", "processed", "created", "updated", "duplicates", "failed"].forEach(function (name) {
            show(name, job[name]);
          });
          if (job.total) {
            bar.max = job.total;
            bar.value = job.processed;
          }
          if (job.status === "done" || job.status === "failed") {
            window.location.reload();
          } else {
            window.setTimeout(poll, 600);
          }
        })
        .catch(function () {
          show("status", "unknown (reload the page)");
        });
    }
    window.setTimeout(poll, 300);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-keyboard-list]").forEach(setUpKeyboardList);
    document.querySelectorAll(".copy-button").forEach(setUpCopyButton);
    var panel = document.getElementById("import-progress");
    if (panel) setUpImportProgress(panel);
  });
})();
