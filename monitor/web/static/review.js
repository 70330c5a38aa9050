// «Разметка»: one key per decision on top of the working form.
(function () {
  "use strict";
  var form = document.getElementById("label-form");
  var undo = document.getElementById("undo-form");

  function submit(decision) {
    var button = document.getElementById(decision === "signal" ? "decide-signal" : "decide-noise");
    if (button) form.requestSubmit(button);
  }

  function sectorFromTop(place) {
    var item = document.querySelectorAll("#sector-top li")[place];
    if (!item) return false;
    document.getElementById("label-sector").value = item.getAttribute("data-sector");
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea") return;
    if (tag === "select" && event.key !== "Escape") return;
    var key = event.key;
    if (key === "u" && undo) { event.preventDefault(); undo.submit(); return; }
    if (!form) return;
    if (key === "1") { event.preventDefault(); submit("signal"); }
    else if (key === "0") { event.preventDefault(); submit("noise"); }
    else if (key === "2" || key === "3") {
      event.preventDefault();
      if (sectorFromTop(Number(key) - 1)) submit("signal");
    }
    else if (key === "s") { event.preventDefault(); document.getElementById("label-sector").focus(); }
    else if (key === "r") { event.preventDefault(); document.getElementById("label-risk").focus(); }
    else if (key === "Escape") { event.target.blur(); }
  });
})();
