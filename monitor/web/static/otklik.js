// Otklik pages: a little plain JavaScript on top of working server-rendered forms.
(function () {
  "use strict";
  var QUEUE_KEY = "otklik.queue";

  // Links back to the queue keep the filters last used there.
  function restoreQueueLinks() {
    var saved = sessionStorage.getItem(QUEUE_KEY);
    if (saved === null) return;
    document.querySelectorAll("a[data-queue-link]").forEach(function (link) {
      link.href = "/queue" + saved;
    });
  }

  function confirmations() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
  }

  function answerTemplates() {
    var select = document.getElementById("answer-template");
    var form = document.getElementById("answer-form");
    if (!select || !form) return;
    var text = form.querySelector("textarea[name=text]");
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      text.value = option.getAttribute("data-body");
      var kind = form.querySelector("input[name=kind][value=" + option.getAttribute("data-kind") + "]");
      if (kind) kind.checked = true;
      text.focus();
    });
  }

  function queue() {
    var results = document.getElementById("queue-results");
    if (!results) return;
    sessionStorage.setItem(QUEUE_KEY, window.location.search);
    restoreQueueLinks();
    var selectedId = null;

    function rows() { return Array.prototype.slice.call(results.querySelectorAll("tr.row")); }

    function select(row) {
      rows().forEach(function (other) { other.classList.remove("selected"); });
      if (!row) return;
      row.classList.add("selected");
      selectedId = row.getAttribute("data-id");
      row.scrollIntoView({ block: "nearest" });
    }

    function move(step) {
      var all = rows();
      if (!all.length) return;
      var index = all.findIndex(function (row) { return row.classList.contains("selected"); });
      index = index < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, index + step));
      select(all[index]);
    }

    function refresh() {
      var url = new URL(window.location.href);
      url.searchParams.set("partial", "1");
      fetch(url.toString(), { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) {
          if (response.redirected || !response.ok) { window.location.reload(); return null; }
          return response.text();
        })
        .then(function (html) {
          if (html === null) return;
          results.innerHTML = html;
          bind();
          if (selectedId) select(results.querySelector('tr.row[data-id="' + selectedId + '"]'));
        })
        .catch(function () { /* offline for a moment: the next refresh will try again */ });
    }

    function bind() {
      rows().forEach(function (row) {
        row.addEventListener("click", function (event) {
          if (event.target.closest("a")) return;
          window.location.href = row.getAttribute("data-href");
        });
      });
      var button = document.getElementById("refresh");
      if (button) button.addEventListener("click", refresh);
    }

    bind();
    document.addEventListener("keydown", function (event) {
      var tag = (event.target.tagName || "").toLowerCase();
      if (tag === "input" || tag === "select" || tag === "textarea" || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === "j") { move(1); event.preventDefault(); }
      else if (event.key === "k") { move(-1); event.preventDefault(); }
      else if (event.key === "Enter" && tag !== "a" && tag !== "button") {
        var row = results.querySelector("tr.selected");
        if (row) { window.location.href = row.getAttribute("data-href"); event.preventDefault(); }
      } else if (event.key === "/") {
        var search = document.querySelector("#filters input[name=q]");
        if (search) { search.focus(); event.preventDefault(); }
      } else if (event.key === "r") { refresh(); event.preventDefault(); }
    });
    var seconds = parseInt(results.getAttribute("data-refresh"), 10);
    if (seconds > 0) window.setInterval(refresh, seconds * 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    restoreQueueLinks();
    confirmations();
    answerTemplates();
    queue();
  });
})();
