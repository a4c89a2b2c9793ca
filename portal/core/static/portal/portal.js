// Forms marked data-loading: show "Aan het laden" on the submit button and refuse a second submit.
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
});
// A page restored from the back/forward cache gets its buttons back.
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form[data-submitted]").forEach(function (form) {
    delete form.dataset.submitted;
    var button = form.querySelector("button[aria-busy]");
    if (button) { button.removeAttribute("aria-busy"); button.textContent = button.dataset.label; }
  });
});
