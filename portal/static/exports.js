// Export request page: polls the progress endpoint and updates the bars without reloading.
// When the request leaves the "working" states the page reloads once to show the outcome.
(function () {
  "use strict";
  var box = document.getElementById("export-progress");
  if (!box || box.getAttribute("data-working") !== "true") return;
  var url = box.getAttribute("data-url");
  var delay = 1500;

  function set(id, done, total) {
    var bar = document.getElementById(id);
    if (!bar) return;
    bar.max = Math.max(1, total);
    bar.value = done;
  }

  function text(root, field, value) {
    var el = root.querySelector('[data-field="' + field + '"]');
    if (el) el.textContent = value;
  }

  function update(data) {
    set("bar-docs", data.docs_done, data.docs_total);
    set("bar-pages", data.pages_done, data.pages_total);
    set("bar-assembly", data.assembly_done, data.assembly_total);
    text(box, "docs", data.docs_done + " / " + data.docs_total);
    text(box, "pages", data.pages_done + " / " + data.pages_total);
    var assembly = box.querySelector('[data-field="assembly"]');
    if (assembly) assembly.hidden = !data.assembling;
    var state = document.getElementById("export-state");
    if (state) state.textContent = data.state_label;
    data.documents.forEach(function (d) {
      var row = document.querySelector('tr[data-doc="' + d.id + '"]');
      if (!row) return;
      text(row, "pages", d.pages_done + " / " + d.pages);
      text(row, "state", d.state_label);
    });
    return data.working;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        if (update(data)) {
          window.setTimeout(poll, delay);
        } else {
          window.location.reload();  // finished or failed: show the outcome and its buttons
        }
      })
      .catch(function () { window.setTimeout(poll, delay * 4); });
  }
  window.setTimeout(poll, delay);
})();
