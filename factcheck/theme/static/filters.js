// Filters for the list of checks. Without JavaScript the whole list shows
// and the verdict, topic and claimant pages do the same job. Topics and
// claimants are named by their pages' slugs (no spaces, any script). What
// the script says comes from the page (the site's language), as does how a
// number of checks is written (Intl.PluralRules picks the plural form).
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var list = document.getElementById("checks");
  var count = document.getElementById("count");
  var source = document.getElementById("factcheck-messages");
  if (!form || !list || !source) return;
  var messages = JSON.parse(source.textContent);
  var lang = document.documentElement.lang || "en";
  var plurals = new Intl.PluralRules(lang);
  var numbers = new Intl.NumberFormat(lang);
  function say(forms, values) {
    var text = forms[plurals.select(values.num)] || forms.other || "";
    return text.replace(/%\((\w+)\)s/g, function (_, name) { return numbers.format(values[name]); });
  }
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
      ? say(messages.all, { num: items.length })
      : say(messages.some, { num: items.length, shown: shown });
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
