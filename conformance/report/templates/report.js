/* Filters for the matrix, the summary and the environment cards: by adapter, clause,
   outcome, and "only unexpected". The page reads fully without this script; the
   filter form stays hidden unless the script runs. State lives in the form only. */
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  form.hidden = false;

  function checked(name) {
    var values = new Set();
    form.querySelectorAll('input[name="' + name + '"]').forEach(function (box) {
      if (box.checked) { values.add(box.value); }
    });
    return values;
  }

  function setAll(name, value) {
    form.querySelectorAll('input[name="' + name + '"]').forEach(function (box) { box.checked = value; });
    apply();
  }

  function hide(element, hidden) {
    if (hidden) { element.setAttribute("data-hidden", "1"); } else { element.removeAttribute("data-hidden"); }
  }

  function count(name) {
    var all = form.querySelectorAll('input[name="' + name + '"]').length;
    var on = checked(name).size;
    var label = form.querySelector('.filter-count[data-for="' + name + '"]');
    if (label) { label.textContent = on === all ? "(all " + all + ")" : "(" + on + " of " + all + ")"; }
  }

  function apply() {
    var adapters = checked("adapter");
    var clauses = checked("clause");
    var outcomes = checked("outcome");
    var onlyUnexpected = form.querySelector('input[name="unexpected"]').checked;
    var allOutcomes = outcomes.size === form.querySelectorAll('input[name="outcome"]').length;
    var filtering = onlyUnexpected || !allOutcomes;
    var shownRows = 0;

    // Adapters: columns of the matrix, rows of the summary, environment cards.
    document.querySelectorAll("[data-adapter]").forEach(function (element) {
      var isColumn = element.matches("th.col-head, td.cell, tr, article.card");
      if (isColumn) { hide(element, !adapters.has(element.getAttribute("data-adapter")) && !isUnavailable(element)); }
    });

    document.querySelectorAll("#matrix-table tbody tr[data-clause]").forEach(function (row) {
      var matching = 0;
      row.querySelectorAll("td.cell").forEach(function (cell) {
        var present = (cell.getAttribute("data-outcomes") || "").split(" ").filter(Boolean);
        var hit = present.some(function (o) { return outcomes.has(o); });
        if (onlyUnexpected) { hit = hit && Number(cell.getAttribute("data-unexpected")) > 0; }
        cell.classList.toggle("dim", filtering && !hit);
        if (hit && !cell.hasAttribute("data-hidden")) { matching += 1; }
      });
      var visible = clauses.has(row.getAttribute("data-clause")) && (!filtering || matching > 0);
      hide(row, !visible);
      if (visible) { shownRows += 1; }
    });

    count("adapter");
    count("clause");
    var status = document.getElementById("filter-status");
    if (status) { status.textContent = shownRows + " clause rows, " + adapters.size + " adapters shown"; }
  }

  // Unavailable adapters have no column and no checkbox; keep their summary rows and cards.
  var known = new Set();
  form.querySelectorAll('input[name="adapter"]').forEach(function (box) { known.add(box.value); });
  function isUnavailable(element) { return !known.has(element.getAttribute("data-adapter")); }

  form.addEventListener("change", apply);
  form.querySelectorAll("button[data-all]").forEach(function (button) {
    button.addEventListener("click", function () { setAll(button.getAttribute("data-all"), true); });
  });
  form.querySelectorAll("button[data-none]").forEach(function (button) {
    button.addEventListener("click", function () { setAll(button.getAttribute("data-none"), false); });
  });
  apply();
}());
