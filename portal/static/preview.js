// Preview page: boxes over the page images, drawing and removing boxes, undo, and polling while
// the export is re-assembled. Boxes are placed in % of the page, from PDF points.
(function () {
  "use strict";

  // Colour swatches on any page (review page too): CSP forbids inline style attributes.
  document.querySelectorAll("[data-colour]").forEach(function (el) {
    el.style.backgroundColor = el.getAttribute("data-colour");
  });

  var dataEl = document.getElementById("pv-data");
  if (!dataEl) return;
  var data = JSON.parse(dataEl.textContent);
  var t = JSON.parse(document.getElementById("pv-i18n").textContent);
  var size = data.size; // [width, height] in points, or null when the original is unreachable
  var selected = null;

  function colour(category) { return data.colours[category] || "#555"; }

  function showError(message) {
    var el = document.getElementById("pv-error");
    el.textContent = message;
    el.hidden = !message;
  }

  function place(el, rect) {
    el.style.left = (100 * rect[0] / size[0]) + "%";
    el.style.top = (100 * rect[1] / size[1]) + "%";
    el.style.width = (100 * (rect[2] - rect[0]) / size[0]) + "%";
    el.style.height = (100 * (rect[3] - rect[1]) / size[1]) + "%";
  }

  function describe(box) {
    return box.category + " · " + t.rule + ": " + box.rule +
      (box.removed ? " · " + t.removed : "");
  }

  function select(box) {
    selected = box;
    var panel = document.getElementById("pv-detail");
    panel.hidden = false;
    panel.querySelector('[data-field="category"]').textContent = box.category;
    panel.querySelector('[data-field="rule"]').textContent = box.rule;
    panel.querySelector('[data-field="source"]').textContent =
      box.source === "manual" ? t.manual : t.auto;
    var reason = panel.querySelector('[data-field="reason"]');
    reason.textContent = box.reason || "";
    reason.hidden = panel.querySelector('[data-field="reason-label"]').hidden = !box.removed;
    var remove = document.getElementById("pv-remove");
    if (remove) remove.hidden = box.source !== "auto" || box.removed;
    document.querySelectorAll(".pv-box.selected").forEach(function (el) {
      el.classList.remove("selected");
    });
    document.querySelectorAll('.pv-box[data-index="' + data.boxes.indexOf(box) + '"]')
      .forEach(function (el) { el.classList.add("selected"); });
  }

  function drawBoxes() {
    if (!size) return;
    // Larger boxes first, so a small box inside a drawn one stays on top and can be clicked.
    function area(b) { return (b.rect[2] - b.rect[0]) * (b.rect[3] - b.rect[1]); }
    var order = data.boxes.map(function (box, i) { return i; })
      .sort(function (a, b) { return area(data.boxes[b]) - area(data.boxes[a]); });
    document.querySelectorAll(".pv-overlay").forEach(function (overlay) {
      order.forEach(function (i) {
        var box = data.boxes[i];
        var el = document.createElement("div");
        el.className = "pv-box" + (box.removed ? " removed" : "") +
          (box.source === "manual" ? " manual" : "");
        el.dataset.index = i;
        el.style.borderColor = colour(box.category);
        if (!box.removed) el.style.backgroundColor = colour(box.category) + "33";
        el.title = describe(box);
        place(el, box.rect);
        if (overlay.dataset.overlay === "redacted") { // one tab stop per box, not two
          el.tabIndex = 0;
          el.setAttribute("role", "button");
          el.setAttribute("aria-label", describe(box));
        }
        el.addEventListener("click", function (event) { event.stopPropagation(); select(box); });
        el.addEventListener("keydown", function (event) {
          if (event.key === "Enter" || event.key === " ") { event.preventDefault(); select(box); }
        });
        el.addEventListener("pointerdown", function (event) { event.stopPropagation(); });
        overlay.appendChild(el);
      });
    });
    var legend = document.getElementById("pv-legend");
    Object.keys(data.colours).forEach(function (category) {
      var count = data.boxes.filter(function (b) { return b.category === category; }).length;
      if (!count) return; // the legend lists this page's categories
      var li = document.createElement("li");
      var swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.backgroundColor = colour(category);
      li.appendChild(swatch);
      li.appendChild(document.createTextNode(category + " (" + count + ")"));
      legend.appendChild(li);
    });
  }

  // --- changes -----------------------------------------------------------------------------
  function send(url, body) {
    showError("");
    return window.emrFetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().then(function (reply) {
        if (!response.ok) throw new Error(reply.error || reply.advice || response.statusText);
        return reply;
      });
    }).then(function (reply) {
      if (reply.warning) showError(reply.warning);
      startPolling();
    }).catch(function (err) {
      showError(err && err.message ? err.message : t.network);
    });
  }

  function setupDrawing() {
    var page = document.querySelector(".pv-drawable");
    if (!page || !data.editable || !size) return;
    var overlay = page.querySelector(".pv-overlay");
    var start = null, ghost = null;

    function point(event) {
      var r = overlay.getBoundingClientRect();
      return [Math.min(Math.max(event.clientX - r.left, 0), r.width) / r.width,
              Math.min(Math.max(event.clientY - r.top, 0), r.height) / r.height];
    }
    function rectOf(a, b) {
      return [Math.min(a[0], b[0]) * size[0], Math.min(a[1], b[1]) * size[1],
              Math.max(a[0], b[0]) * size[0], Math.max(a[1], b[1]) * size[1]];
    }
    overlay.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) return;
      start = point(event);
      overlay.setPointerCapture(event.pointerId);
      ghost = document.createElement("div");
      ghost.className = "pv-box drawing";
      overlay.appendChild(ghost);
      event.preventDefault();
    });
    overlay.addEventListener("pointermove", function (event) {
      if (!start) return;
      place(ghost, rectOf(start, point(event)));
    });
    overlay.addEventListener("pointerup", function (event) {
      if (!start) return;
      var rect = rectOf(start, point(event));
      start = null;
      if (rect[2] - rect[0] < 2 || rect[3] - rect[1] < 2) { ghost.remove(); return; }
      send(data.urls.edit, { op: "add", page: data.page, rect: rect });
    });
  }

  function setupRemoval() {
    var button = document.getElementById("pv-remove");
    var dialog = document.getElementById("pv-dialog");
    if (!button || !dialog) return;
    var reason = document.getElementById("pv-reason");
    var error = document.getElementById("pv-reason-error");
    button.addEventListener("click", function () {
      reason.value = "";
      error.hidden = true;
      dialog.showModal();
      reason.focus();
    });
    document.getElementById("pv-cancel").addEventListener("click", function () { dialog.close(); });
    document.getElementById("pv-remove-form").addEventListener("submit", function (event) {
      if (!reason.value.trim()) { event.preventDefault(); error.hidden = false; return; }
      send(data.urls.edit, { op: "remove", page: data.page, rule: selected.rule,
                             rect: selected.rect, reason: reason.value.trim() });
    });
  }

  function setupUndo() {
    var button = document.getElementById("pv-undo");
    if (button) button.addEventListener("click", function () { send(data.urls.undo); });
  }

  // --- waiting for re-assembly ---------------------------------------------------------------
  var polling = false;
  function startPolling() {
    document.getElementById("pv-busy").hidden = false;
    document.querySelectorAll(".pv-page").forEach(function (p) { p.classList.add("stale"); });
    if (polling) return;
    polling = true;
    (function poll() {
      window.emrFetch(data.urls.status, { headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          if (s.failed) { polling = false; showError(t.failed); return; }
          if (s.reassembling) { window.setTimeout(poll, 1500); return; }
          window.location.reload();
        })
        .catch(function () { window.setTimeout(poll, 4000); });
    })();
  }

  // Arrow keys turn pages (not while typing a reason).
  document.addEventListener("keydown", function (event) {
    if (event.target.closest("input, textarea, dialog")) return;
    var link = document.querySelector('[data-key="' + event.key + '"]');
    if (link) window.location.href = link.href;
  });

  drawBoxes();
  setupDrawing();
  setupRemoval();
  setupUndo();
  if (data.reassembling) startPolling();
})();
