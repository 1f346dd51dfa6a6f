// Filter panels (templates/partials/facet_filters.html) start folded on a small screen, so the
// results come first; without JavaScript they stay open and the "Apply filters" button works.
// With htmx a tick re-renders the panel and the results: words typed into a box after that
// request left are kept across the swap (the answer was computed without them), with the focus.
(function () {
  function fold(root) {
    if (!window.matchMedia("(max-width: 860px)").matches) return;
    root.querySelectorAll("details.filter-panel[open]").forEach(function (panel) {
      panel.removeAttribute("open");
    });
  }
  document.addEventListener("DOMContentLoaded", function () { fold(document); });

  var typed = null;
  var TEXT = "input[type=search], input[type=text]";

  document.addEventListener("htmx:beforeSwap", function (evt) {
    var page = document.getElementById("facet-page");
    if (!page || evt.detail.target !== page) return;
    var sent = evt.detail.requestConfig && evt.detail.requestConfig.formData;
    typed = [];
    page.querySelectorAll(TEXT).forEach(function (input) {
      var was = sent && sent.get(input.name) !== null ? String(sent.get(input.name)) : "";
      if (input.name && input.value !== was) {
        typed.push({ name: input.name, value: input.value, focused: document.activeElement === input });
      }
    });
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (!typed) return;
    var page = document.getElementById("facet-page");
    typed.forEach(function (kept) {
      var input = page && page.querySelector('[name="' + kept.name + '"]');
      if (!input) return;
      input.value = kept.value;
      if (kept.focused) input.focus();
    });
    typed = null;
  });
})();
