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
