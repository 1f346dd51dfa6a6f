/* Requests: the criteria editor (add and remove rows, suggest the chosen field's values), the lead-time warning on the intake
   form, and "tick all" in the triage queue. Plain JS, no inline scripts. */
(function () {
  "use strict";

  function suggestValues(row) {
    // The value box suggests the chosen field's values (a <datalist> per field, by label).
    var field = row.querySelector("select.criterion-field");
    var value = row.querySelector("input[name$=_value]");
    if (field && value) { value.setAttribute("list", "criterion-values-" + (field.value || "any")); }
  }

  function initEditor(form) {
    form.addEventListener("click", function (event) {
      var target = event.target;
      if (target.classList.contains("add-row")) {
        var kind = target.dataset.kind;
        var template = document.getElementById("row-template-" + kind);
        var list = document.getElementById(kind + "-rows");
        list.appendChild(template.content.cloneNode(true));
        var selects = list.querySelectorAll("select.criterion-field");
        selects[selects.length - 1].focus();
        return;
      }
      var row = target.closest(".criterion-row");
      if (row && target.classList.contains("remove-row")) { row.parentNode.removeChild(row); }
    });
    form.addEventListener("change", function (event) {
      if (event.target.classList.contains("criterion-field")) {
        suggestValues(event.target.closest(".criterion-row"));
      }
    });
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
      // The sentence comes translated from the page (data-sentence), with {days} to fill in.
      var sentence = hint.dataset.sentence || "This activity usually takes {days} day(s) to arrange.";
      hint.textContent = days ? sentence.replace("{days}", days) : "";
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
  // The queue's filters re-render its table with htmx: wire the new "tick all" box.
  document.addEventListener("htmx:afterSettle", initQueue);
})();
