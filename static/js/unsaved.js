/* Warns before leaving a page whose form holds changes that are not saved.
 *
 * Every form sent with POST counts, unless it says data-unsaved="off". A form the server sent
 * back unsaved (a conflict, an error) says data-unsaved="dirty", or the page shows an error
 * summary or a conflict: it counts as changed from the start. Sending a form does not warn about that form itself; a change in another form
 * of the page, which would be lost, still does. Progressive enhancement: without JavaScript
 * nothing warns, and nothing else changes. The choices after a conflict ("Behåll deras" /
 * "Använd mitt") put the chosen value into the field they belong to.
 */
(function () {
  "use strict";

  function selectChanged(select) {
    var options = Array.prototype.slice.call(select.options);
    if (select.multiple) {
      return options.some(function (o) { return o.selected !== o.defaultSelected; });
    }
    var initial = options.findIndex(function (o) { return o.defaultSelected; });
    return select.selectedIndex !== (initial === -1 ? 0 : initial);
  }

  function fieldChanged(el) {
    if (!el.name || el.disabled) return false;
    if (el.type === "checkbox" || el.type === "radio") return el.checked !== el.defaultChecked;
    if (el.tagName === "SELECT") return selectChanged(el);
    if (el.type === "file") return el.value !== "";
    if (["hidden", "submit", "button", "reset", "image"].indexOf(el.type) !== -1) return false;
    return el.value !== el.defaultValue;
  }

  // A page the server sent back with an error summary or a conflict holds what was typed,
  // unsaved, as its fields' starting values: every form with fields counts as changed.
  var sentBack = document.querySelector(".error-summary, .conflict") !== null;

  function hasFields(form) {
    return Array.prototype.some.call(form.elements, function (el) {
      return el.name && ["hidden", "submit", "button", "reset", "image"].indexOf(el.type) === -1;
    });
  }

  function formChanged(form) {
    if (form.dataset.unsaved === "dirty") return true;
    if (sentBack && hasFields(form)) return true;
    return Array.prototype.some.call(form.elements, fieldChanged);
  }

  function watched(form) {
    return (form.getAttribute("method") || "").toLowerCase() === "post" &&
      form.dataset.unsaved !== "off";
  }

  var sending = null;
  document.addEventListener("submit", function (event) {
    if (!event.defaultPrevented) sending = event.target;
  });

  window.addEventListener("beforeunload", function (event) {
    var forms = Array.prototype.filter.call(document.forms, function (form) {
      return form !== sending && watched(form);
    });
    if (forms.some(formChanged)) {
      event.preventDefault();
      event.returnValue = "";  // older browsers show the warning only with a value set
    }
  });
  // Back from the browser's cache: the page sends nothing now.
  window.addEventListener("pageshow", function () { sending = null; });

  document.addEventListener("change", function (event) {
    var radio = event.target;
    if (!radio.matches || !radio.matches("input[type=radio][data-field]")) return;
    var field = document.getElementById(radio.dataset.field);
    if (field && radio.checked) field.value = radio.dataset.value;
  });
}());
