// Filter panels (templates/partials/facet_filters.html) start folded on a small screen, so the
// results come first; without JavaScript they stay open and the "Apply filters" button works.
(function () {
  function fold(root) {
    if (!window.matchMedia("(max-width: 860px)").matches) return;
    root.querySelectorAll("details.filter-panel[open]").forEach(function (panel) {
      panel.removeAttribute("open");
    });
  }
  document.addEventListener("DOMContentLoaded", function () { fold(document); });
})();
