// Filters for the list of checks. Without JavaScript the whole list shows
// and the verdict, topic and claimant pages do the same job. Topics and
// claimants are named by their pages' slugs (no spaces, any script).
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var list = document.getElementById("checks");
  var count = document.getElementById("count");
  if (!form || !list) return;
  var items = Array.prototype.slice.call(list.querySelectorAll(".check-item"));
  var params = new URLSearchParams(window.location.search);
  ["verdict", "tag", "claimant"].forEach(function (name) {
    if (params.get(name)) form.elements[name].value = params.get(name);
  });

  function apply() {
    var verdict = form.elements.verdict.value;
    var tag = form.elements.tag.value;
    var claimant = form.elements.claimant.value;
    var shown = 0;
    items.forEach(function (item) {
      var ok = (!verdict || item.dataset.verdict === verdict) &&
        (!tag || item.dataset.tags.split(" ").indexOf(tag) !== -1) &&
        (!claimant || item.dataset.claimant === claimant);
      item.hidden = !ok;
      if (ok) shown += 1;
    });
    count.textContent = shown === items.length
      ? "Showing all " + items.length + " checks"
      : "Showing " + shown + " of " + items.length + " checks";
    var query = new URLSearchParams();
    if (verdict) query.set("verdict", verdict);
    if (tag) query.set("tag", tag);
    if (claimant) query.set("claimant", claimant);
    var search = query.toString();
    history.replaceState(null, "", search ? "?" + search : window.location.pathname);
  }

  form.hidden = false;
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  apply();
})();
