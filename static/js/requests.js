/* Requests: the criteria editor (add, remove, reorder rows), the lead-time warning on the intake
   form, and "tick all" in the triage queue. Plain JS, no inline scripts. */
(function () {
  "use strict";

  function renumberWeights(list) {
    // A nice-to-have without a typed weight gets one from its position on the server; reordering
    // rows whose weights were derived from their position keeps them in step.
    var rows = list.querySelectorAll(".criterion-row");
    rows.forEach(function (row, i) {
      var w = row.querySelector("input.weight");
      if (w && w.dataset.auto !== "false") { w.placeholder = String(Math.max(1, 5 - i)); }
    });
  }

  function initEditor(form) {
    form.addEventListener("click", function (event) {
      var target = event.target;
      if (target.classList.contains("add-row")) {
        var kind = target.dataset.kind;
        var template = document.getElementById("row-template-" + kind);
        var list = document.getElementById(kind + "-rows");
        list.appendChild(template.content.cloneNode(true));
        renumberWeights(list);
        var selects = list.querySelectorAll("select");
        selects[selects.length - 1].focus();
        return;
      }
      var row = target.closest(".criterion-row");
      if (!row) { return; }
      var parent = row.parentNode;
      if (target.classList.contains("remove-row")) {
        parent.removeChild(row);
      } else if (target.classList.contains("move-up") && row.previousElementSibling) {
        parent.insertBefore(row, row.previousElementSibling);
      } else if (target.classList.contains("move-down") && row.nextElementSibling) {
        parent.insertBefore(row.nextElementSibling, row);
      } else {
        return;
      }
      renumberWeights(parent);
    });
    form.addEventListener("input", function (event) {
      if (event.target.classList.contains("weight")) { event.target.dataset.auto = "false"; }
    });
    document.querySelectorAll(".criteria-rows").forEach(renumberWeights);
  }

  function initLeadTime(form) {
    var hint = document.getElementById("lead-time-hint");
    var warning = document.getElementById("lead-time-warning");
    var activity = form.querySelector("[name=activity_type]");
    var neededBy = form.querySelector("[name=needed_by]");
    if (!hint || !activity || !neededBy) { return; }
    var leadTimes = {};
    (hint.dataset.leadTimes || "").split(",").forEach(function (pair) {
      var parts = pair.split(":");
      if (parts.length === 2) { leadTimes[parts[0]] = parseInt(parts[1], 10); }
    });
    function update() {
      var days = leadTimes[activity.value];
      hint.textContent = days ? "This activity usually takes " + days + " day(s) to arrange." : "";
      var when = neededBy.value ? new Date(neededBy.value) : null;
      var short = days && when && !isNaN(when) && (when - new Date()) < days * 86400000;
      warning.hidden = !short;
    }
    activity.addEventListener("change", update);
    neededBy.addEventListener("input", update);
    update();
  }

  function initQueue() {
    var all = document.getElementById("tick-all");
    if (!all) { return; }
    all.addEventListener("change", function () {
      document.querySelectorAll("input[name=requests]").forEach(function (box) { box.checked = all.checked; });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("request-form");
    if (form) { initEditor(form); initLeadTime(form); }
    initQueue();
  });
})();
