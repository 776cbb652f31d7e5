// Carnet's few behaviours, declared in the templates with data- attributes: the Content-Security-Policy
// forbids inline scripts and on…= handlers, so pages say what they want and this file does it. Listeners
// sit on the document, so parts that htmx swaps in work as well.
(function () {
  "use strict";

  // <form data-confirm="Question?"> or <button data-confirm="…">: ask before submitting. Capture phase, so
  // that the answer is known before htmx or the browser acts on the submit.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var question = (submitter && submitter.dataset.confirm) || form.dataset.confirm;
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // <select data-autosubmit>: choosing submits the form.
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-autosubmit]") && field.form) {
      field.form.submit();
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button") : null;
    if (!button) return;
    // <button data-fill-target="ID" data-fill-value="V">: put V in the field ID.
    if (button.dataset.fillTarget) {
      var field = document.getElementById(button.dataset.fillTarget);
      if (field) field.value = button.dataset.fillValue || "";
    }
    // <button data-add-row data-template="ID" data-rows="ID" data-total="ID">: add a formset row from a
    // <template> whose __prefix__ is the next form number, and count it in the TOTAL_FORMS field.
    if (button.hasAttribute("data-add-row")) {
      var total = document.getElementById(button.dataset.total);
      var template = document.getElementById(button.dataset.template);
      var rows = document.getElementById(button.dataset.rows);
      if (total && template && rows) {
        rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, total.value));
        total.value = Number(total.value) + 1;
      }
    }
  });

  // <input data-enter-clicks="SELECTOR">: Enter follows the first element the selector finds (the first
  // search result) instead of submitting the form.
  document.addEventListener("keydown", function (event) {
    var field = event.target;
    if (event.key !== "Enter" || !field.matches || !field.matches("[data-enter-clicks]")) return;
    event.preventDefault();
    var first = document.querySelector(field.dataset.enterClicks);
    if (first) first.click();
  });

  // <input data-select-on-focus>: a value meant to be copied is selected whole.
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-select-on-focus]")) event.target.select();
  });

  // <form data-drop-empty>: leave empty fields out of its htmx requests, so that shared and pushed URLs
  // stay short.
  document.addEventListener("htmx:configRequest", function (event) {
    var source = event.target.closest ? event.target.closest("[data-drop-empty]") : null;
    if (!source) return;
    var parameters = event.detail.parameters;
    // htmx 2 hands a FormData-like object, htmx 1 a plain object.
    var names = typeof parameters.keys === "function" ? Array.from(parameters.keys()) : Object.keys(parameters);
    names.forEach(function (name) {
      var value = typeof parameters.get === "function" ? parameters.get(name) : parameters[name];
      if (value === "") {
        if (typeof parameters.delete === "function") parameters.delete(name);
        else delete parameters[name];
      }
    });
  });
})();
