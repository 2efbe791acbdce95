// Full-text search over every check, from Pagefind's static indexes: no server.
// A large desk has several indexes (one per bucket of checks), merged here.
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (typeof PagefindUI === "undefined" || !box) return;
  document.getElementById("search-label").hidden = false;
  // Results name their page relative to the site ("checks/x/"); the site
  // may live in any folder, so resolve them against this script's place.
  var script = document.querySelector('script[src$="static/search.js"]');
  var base = new URL("..", script.src).pathname;
  function place(result) {
    var url = result.meta && result.meta.url;
    if (url && !/^([a-z]+:|\/)/i.test(url)) {
      result.meta.url = base + url;
      result.url = result.meta.url;
    }
    return result;
  }
  var bundles = (box.getAttribute("data-bundles") || "pagefind/0/").split(" ");
  // What the search box says, in the site's language (the page carries it).
  var source = document.getElementById("factcheck-messages");
  var messages = source ? JSON.parse(source.textContent) : { search: {} };
  new PagefindUI({
    element: "#search",
    baseUrl: base,
    bundlePath: base + bundles[0],
    mergeIndex: bundles.slice(1).map(function (b) { return { bundlePath: base + b }; }),
    processResult: place,
    showImages: false,
    showSubResults: false,
    resetStyles: false,
    translations: messages.search

  });
  // One list at a time: while a search is typed, its results replace the
  // filtered list of every check (filters do not apply to search results).
  var note = document.getElementById("search-note");
  function searching() {
    var input = box.querySelector("input");
    var active = !!(input && input.value.trim());
    document.body.classList.toggle("searching", active);
    if (note) note.hidden = !active;
  }
  box.addEventListener("input", searching);
  box.addEventListener("click", function () { setTimeout(searching, 0); });  // the Clear button
  box.addEventListener("keyup", searching);
  // Give Pagefind's box the visible label above it.
  function label() {
    var input = box.querySelector("input");
    if (!input) return false;
    input.setAttribute("aria-labelledby", "search-label");
    return true;
  }
  if (!label()) {
    var watch = new MutationObserver(function () { if (label()) watch.disconnect(); });
    watch.observe(box, { childList: true, subtree: true });
  }
})();
