// Small helpers for every page. No inline scripts: the Content-Security-Policy forbids them.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');

  // fetch() that carries the CSRF token, for pages that change things without a form post.
  window.emrFetch = function (url, options) {
    options = options || {};
    options.headers = new Headers(options.headers || {});
    if (meta) options.headers.set("X-CSRFToken", meta.content);
    options.credentials = "same-origin";
    return fetch(url, options);
  };

  // Buttons with data-confirm ask before submitting their form.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
