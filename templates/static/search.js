// Full-text search over every check, from Pagefind's static index: no server.
(function () {
  "use strict";
  if (typeof PagefindUI === "undefined" || !document.getElementById("search")) return;
  document.getElementById("search-label").hidden = false;
  // Result URLs are site paths ("/checks/x/"); the site may live in a sub-folder.
  var script = document.querySelector('script[src$="static/search.js"]');
  var base = new URL("..", script.src).pathname;
  new PagefindUI({
    element: "#search",
    baseUrl: base,
    bundlePath: base + "pagefind/",
    showImages: false,
    showSubResults: false,
    resetStyles: false,
    translations: { placeholder: "Search claims and reasoning" }
  });
  // Give Pagefind's box the visible label above it.
  function label() {
    var input = document.querySelector("#search input");
    if (!input) return false;
    input.setAttribute("aria-labelledby", "search-label");
    return true;
  }
  if (!label()) {
    var watch = new MutationObserver(function () { if (label()) watch.disconnect(); });
    watch.observe(document.getElementById("search"), { childList: true, subtree: true });
  }
})();
