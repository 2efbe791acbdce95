// The preview's live reload (added by `factcheck serve`, never by `build`):
// reload when the site is rebuilt; show the build's errors over the page
// until they are fixed.
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script.src.replace(/live\.js(\?.*)?$/, "");
  var shown = null;
  var overlay = null;

  function show(text) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "factcheck-build-error";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText =
        "position:fixed;inset:auto 0 0 0;max-height:70vh;overflow:auto;z-index:2147483647;margin:0;" +
        "padding:1rem 1.25rem;background:#1d1d1f;color:#f5f5f7;border-top:4px solid #d93025;" +
        "font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;box-shadow:0 -4px 24px rgba(0,0,0,.35)";
      var title = document.createElement("p");
      title.style.cssText = "margin:0 0 .5rem;font-weight:bold;color:#ff8a80";
      title.textContent = "The build failed. Behind this panel: the last good build of the page, if there is one.";
      var pre = document.createElement("pre");
      pre.style.cssText = "margin:0;white-space:pre-wrap";
      overlay.appendChild(title);
      overlay.appendChild(pre);
      document.body.appendChild(overlay);
    }
    overlay.lastChild.textContent = text;
  }

  function hide() {
    if (overlay) { overlay.remove(); overlay = null; }
  }

  var events = new EventSource(base + "events");
  events.onmessage = function (event) {
    var state = JSON.parse(event.data);
    if (shown === null) shown = state.version;  // the build this page came from
    if (state.error) { show(state.error); return; }
    if (state.version !== shown) { location.reload(); return; }
    hide();
  };
})();
