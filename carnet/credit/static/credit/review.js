// The credit review page: filter the proposal, tick all or none, count the ticked lines.
(function () {
  var form = document.getElementById("review-form");
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.proposal"));
  var action = document.getElementById("filter-action");
  var text = document.getElementById("filter-text");
  var external = document.getElementById("filter-external");
  var counter = document.getElementById("ticked-count");
  var template = counter ? counter.dataset.template : "";
  function box(row) { return row.querySelector("input[type=checkbox]"); }
  function count() {
    if (!counter) return;
    var ticked = rows.filter(function (r) { return box(r).checked; }).length;
    counter.textContent = template.replace("%(ticked)s", ticked).replace("%(total)s", rows.length);
  }
  function filter() {
    var a = action ? action.value : "", t = text ? text.value.trim().toLowerCase() : "", x = external ? external.value : "";
    rows.forEach(function (r) {
      r.hidden = (a && r.dataset.action !== a) || (t && r.dataset.search.indexOf(t) < 0) || (x && r.dataset.external !== x);
    });
    document.querySelectorAll("[data-group]").forEach(function (g) {
      g.hidden = !!a && g.dataset.group !== a;
      var lines = g.querySelectorAll("tr.proposal"), shown = g.querySelectorAll("tr.proposal:not([hidden])");
      var none = g.querySelector(".no-match");
      if (none) none.hidden = !(lines.length && !shown.length);
    });
  }
  document.querySelectorAll("button[data-select]").forEach(function (button) {
    button.addEventListener("click", function () {
      var on = button.dataset.select === "all", scope = button.dataset.scope;
      rows.forEach(function (r) {
        var b = box(r);
        if (!r.hidden && !b.disabled && (!scope || r.dataset.action === scope)) b.checked = on;
      });
      count();
    });
  });
  [action, text, external].forEach(function (el) { if (el) el.addEventListener("input", filter); });
  if (form) form.addEventListener("change", count);
  count();
})();
