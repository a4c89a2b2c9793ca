// Forms marked data-loading: show "Aan het laden" on the submit button and at the top
// of the page (read out by screen readers), and refuse a second submit.
function loadingIndicator(show) {
  var indicator = document.querySelector("[data-loading-indicator]");
  if (!indicator) return;
  indicator.textContent = show ? (document.documentElement.dataset.loadingText || "Aan het laden…") : "";
  indicator.hidden = !show;
}
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches("form[data-loading]")) return;
  if (form.dataset.submitted === "1") { event.preventDefault(); return; }
  // A form that asks first (data-confirm): nothing is sent unless the person agrees.
  if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) { event.preventDefault(); return; }
  form.dataset.submitted = "1";
  var button = form.querySelector("button[type=submit]");
  if (button) {
    button.setAttribute("aria-busy", "true");
    button.dataset.label = button.textContent;
    button.textContent = document.documentElement.dataset.loadingText || "Aan het laden…";
  }
  loadingIndicator(true);
});
// A page restored from the back/forward cache gets its buttons back.
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form[data-submitted]").forEach(function (form) {
    delete form.dataset.submitted;
    var button = form.querySelector("button[aria-busy]");
    if (button) { button.removeAttribute("aria-busy"); button.textContent = button.dataset.label; }
  });
  loadingIndicator(false);
});
// The installable app: the service worker keeps static files and the offline page only.
if ("serviceWorker" in navigator && document.documentElement.dataset.serviceWorker) {
  window.addEventListener("load", function () {
    navigator.serviceWorker.register(document.documentElement.dataset.serviceWorker, { scope: "/" }).catch(function () {});
  });
}
// Where the browser offers to install the app, a button for it ([data-install]).
window.addEventListener("beforeinstallprompt", function (event) {
  var install = document.querySelector("[data-install]");
  if (!install) return;
  event.preventDefault();
  install.hidden = false;
  install.querySelector("button").addEventListener("click", function () {
    event.prompt();
    install.hidden = true;
  }, { once: true });
});

// Folded filters (a phone shows the list first) are open on a wide screen.
document.querySelectorAll("details[data-open-wide]").forEach(function (details) {
  if (window.matchMedia("(min-width: 48em)").matches) details.open = true;
});

// "Select all" for the checkboxes named by data-select-all, in the same form; shown only
// where this script runs (without it each box is ticked by hand).
document.querySelectorAll("input[data-select-all]").forEach(function (all) {
  var boxes = function () {
    return Array.prototype.filter.call(all.form.elements, function (e) { return e.name === all.dataset.selectAll; });
  };
  all.closest("[hidden]") && all.closest("[hidden]").removeAttribute("hidden");
  all.addEventListener("change", function () {
    boxes().forEach(function (box) { box.checked = all.checked; });
  });
  all.form.addEventListener("change", function (event) {
    if (event.target === all) return;
    var list = boxes();
    var ticked = list.filter(function (box) { return box.checked; }).length;
    all.checked = ticked === list.length;
    all.indeterminate = ticked > 0 && ticked < list.length;
  });
});

// A select whose options follow another field (the departments of the chosen location):
// data-options-for names that field, data-options maps its values to [value, label] pairs.
document.querySelectorAll("select[data-options-for]").forEach(function (select) {
  var source = document.getElementById(select.dataset.optionsFor);
  var options = JSON.parse(select.dataset.options);
  if (!source) return;
  source.addEventListener("change", function () {
    var placeholder = select.options[0];
    var pairs = options[source.value] || [];
    select.replaceChildren(placeholder);
    pairs.forEach(function (pair) { select.add(new Option(pair[1], pair[0])); });
    select.value = pairs.length === 1 ? String(pairs[0][0]) : "";
  });
});

// Fields that matter for one kind of change only (data-shown-for-kind) are hidden for the
// others; without this script they are all shown, and left empty.
document.querySelectorAll("[data-shown-for-kind]").forEach(function (part) {
  var form = part.closest("form");
  var show = function () {
    var chosen = form.querySelector('input[name="kind"]:checked');
    part.hidden = !chosen || chosen.value !== part.dataset.shownForKind;
  };
  form.addEventListener("change", function (event) { if (event.target.name === "kind") show(); });
  show();
});

// "Terug" to the form that was too large to send: back in the history keeps what was
// typed; without this script the link opens the form anew (data-back).
document.addEventListener("click", function (event) {
  var back = event.target.closest && event.target.closest("a[data-back]");
  if (!back || window.history.length < 2) return;
  event.preventDefault();
  window.history.back();
});
