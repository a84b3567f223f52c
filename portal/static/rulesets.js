// Rulesets pages. The draft editor checks the text while the policy admin types (a debounced
// POST to the validate endpoint) and shows each problem at its line and column; line numbers
// run beside the text. Also: colour swatches (CSP forbids inline styles). No libraries.
(function () {
  "use strict";

  document.querySelectorAll("[data-colour]").forEach(function (el) {
    el.style.backgroundColor = el.getAttribute("data-colour");
  });

  var text = document.getElementById("rs-text");
  if (!text) return;
  var gutter = document.getElementById("rs-gutter");
  var status = document.getElementById("rs-status");
  var result = document.getElementById("rs-result");
  var form = document.getElementById("rs-form");
  var url = text.getAttribute("data-validate-url");
  var DELAY = 400;
  var timer = null;
  var sent = 0;          // number of the last check sent; older answers are dropped
  var saved = text.value;
  var badLines = {};
  var lastCount = -1;

  function msg(name) { return status.getAttribute("data-msg-" + name) || ""; }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : all;
    });
  }

  function post(body) {
    var options = { method: "POST", body: JSON.stringify(body),
                    headers: { "Content-Type": "application/json", "Accept": "application/json" } };
    if (window.emrFetch) return window.emrFetch(url, options);
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) options.headers["X-CSRFToken"] = meta.content;
    options.credentials = "same-origin";
    return fetch(url, options);
  }

  // ------------------------------------------------------------ line numbers

  function lineCount() { return text.value.split("\n").length; }

  function drawGutter() {
    if (!gutter) return;
    var n = lineCount();
    var frag = document.createDocumentFragment();
    for (var i = 1; i <= n; i++) {
      var span = document.createElement("span");
      span.textContent = i + (i < n ? "\n" : "");
      if (badLines[i]) span.className = "bad";
      frag.appendChild(span);
    }
    // A line of room below the last so the gutter scrolls as far as the text.
    frag.appendChild(document.createTextNode("\n "));
    gutter.textContent = "";
    gutter.appendChild(frag);
    lastCount = n;
    syncScroll();
  }

  function syncScroll() { if (gutter) gutter.scrollTop = text.scrollTop; }

  text.addEventListener("scroll", syncScroll);

  // ------------------------------------------------------------ going to a place in the text

  function offsetOf(line, column) {
    var lines = text.value.split("\n");
    var offset = 0;
    line = Math.max(1, Math.min(line, lines.length));
    for (var i = 0; i < line - 1; i++) offset += lines[i].length + 1;
    return offset + Math.max(0, Math.min(column - 1, lines[line - 1].length));
  }

  function goTo(line, column, width) {
    var start = offsetOf(line, column || 1);
    var end = Math.min(start + (width || 0), text.value.length);
    text.focus();
    text.setSelectionRange(start, end);
    var lineHeight = parseFloat(window.getComputedStyle(text).lineHeight) || 18;
    text.scrollTop = Math.max(0, (line - 1) * lineHeight - text.clientHeight / 3);
    syncScroll();
  }

  result.addEventListener("click", function (event) {
    var item = event.target.closest("[data-line]");
    if (!item) return;
    goTo(parseInt(item.getAttribute("data-line"), 10), parseInt(item.getAttribute("data-column"), 10),
         parseInt(item.getAttribute("data-width"), 10));
  });

  // ------------------------------------------------------------ showing the check

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = content;
    return node;
  }

  function problemItem(p) {
    var li = el("li", "rs-problem");
    li.setAttribute("data-line", p.line);
    li.setAttribute("data-column", p.column);
    li.setAttribute("data-width", p.width || 1);
    var where = el("p", "rs-where");
    where.appendChild(el("strong", "", fill(msg("where"), { line: p.line, column: p.column })));
    where.appendChild(document.createTextNode(": " + p.message));
    li.appendChild(where);
    if (p.excerpt) {
      var start = Math.max(0, p.column - 1), width = p.width || 1;
      var pre = el("pre", "rs-excerpt");
      pre.appendChild(el("span", "rs-lineno", String(p.line)));
      pre.appendChild(document.createTextNode(p.excerpt.slice(0, start)));
      pre.appendChild(el("mark", "", p.excerpt.slice(start, start + width) || " "));
      pre.appendChild(document.createTextNode(p.excerpt.slice(start + width) + "\n"));
      pre.appendChild(el("span", "rs-lineno", ""));
      pre.appendChild(el("span", "rs-ghost", p.excerpt.slice(0, start)));
      pre.appendChild(el("span", "rs-caret", new Array(width + 1).join("^")));
      li.appendChild(pre);
    }
    if (p.hint) li.appendChild(el("p", "hint", fill(msg("hint"), { hint: p.hint })));
    return li;
  }

  function show(data) {
    result.textContent = "";
    badLines = {};
    if (data.ok) {
      result.appendChild(el("p", "rs-ok", "✓ " + msg("ok")));
      status.className = status.className.replace(/\s*\b(ok|bad)\b/g, "") + " ok";
    } else {
      var list = el("ul", "rs-problems");
      data.problems.forEach(function (p) {
        badLines[p.line] = true;
        list.appendChild(problemItem(p));
      });
      result.appendChild(list);
      status.className = status.className.replace(/\s*\b(ok|bad)\b/g, "") + " bad";
    }
    drawGutter();
  }

  function check() {
    var number = ++sent;
    result.setAttribute("aria-busy", "true");
    post({ text: text.value })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) { if (number === sent) show(data); })
      .catch(function () {
        if (number !== sent) return;
        result.textContent = "";
        result.appendChild(el("p", "rs-busy", msg("failed")));
      })
      .then(function () { if (number === sent) result.removeAttribute("aria-busy"); });
  }

  text.addEventListener("input", function () {
    if (lineCount() !== lastCount) drawGutter();
    window.clearTimeout(timer);
    timer = window.setTimeout(check, DELAY);
  });

  // Tab indents (rules are indented under `policy`) instead of leaving the editor.
  text.addEventListener("keydown", function (event) {
    if (event.key !== "Tab" || event.shiftKey || event.ctrlKey || event.altKey || event.metaKey) return;
    event.preventDefault();
    var s = text.selectionStart, e = text.selectionEnd;
    text.setRangeText("    ", s, e, "end");
    text.dispatchEvent(new Event("input"));
  });

  // ------------------------------------------------------------ unsaved changes

  function dirty() { return text.value !== saved; }

  document.querySelectorAll("[data-needs-save]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (!dirty()) return;
      if (window.confirm(msg("unsaved"))) saved = text.value;  // asked once, not again on unload
      else event.preventDefault();
    });
  });
  if (form) form.addEventListener("submit", function () { saved = text.value; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty()) { event.preventDefault(); event.returnValue = ""; }
  });

  // ------------------------------------------------------------ start

  result.querySelectorAll("[data-line]").forEach(function (li) {
    badLines[li.getAttribute("data-line")] = true;
  });
  status.className += result.querySelector("[data-line]") ? " bad" : " ok";
  drawGutter();
  var target = /^#L(\d+)$/.exec(window.location.hash);
  if (target) goTo(parseInt(target[1], 10), 1, 0);
})();
