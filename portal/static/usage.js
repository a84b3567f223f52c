// Counts clicks on elements marked data-usage="menu.xxx" (non-PHI usage statistics).
// Sends the item id only: never the page address, text on the page or anything typed.
// This file is only included for people who are counted (site switch on, not opted out).
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var URL = "/usage/click";

  function report(item) {
    var form = new FormData();
    form.append("item", item);
    if (meta) form.append("csrf_token", meta.content);
    // sendBeacon survives the navigation the click starts; fetch keepalive is the fallback.
    if (navigator.sendBeacon && navigator.sendBeacon(URL, form)) return;
    if (window.fetch) {
      fetch(URL, { method: "POST", body: form, credentials: "same-origin", keepalive: true })
        .catch(function () { /* statistics must never bother the user */ });
    }
  }

  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-usage]");
    if (!el) return;
    var item = el.getAttribute("data-usage");
    if (/^menu\.[a-z_]{1,24}$/.test(item)) report(item);
  }, true);
})();
