// Live pages: every 3 s ask this page's [data-live] address (?since=<night version>); 204 while
// nothing changed, else the new page, whose live part is swapped in (docs/architecture.md).
// A tap answered by htmx redraws a piece of the live part (the board's proposal, after a party was
// tapped or pinned); the piece names, in data-live-address, the address that draws the page as it
// now stands, and the poll asks that one from then on: a later redraw keeps the tapped party open.
// No poll is sent while a tap is on its way, and the answer to one sent before a tap is dropped.
(function () {
  "use strict";
  var busy = false, taps = 0, pending = 0, each = Array.prototype.forEach;
  function part() { return document.querySelector("[data-live]"); }
  function typing(p) {  // never redraw under a thumb that is typing
    var el = document.activeElement;
    return el && p.contains(el) && /^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName);
  }
  function swap(p, html) {
    var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-live]");
    if (!fresh) return;
    var open = [], kept = {};
    each.call(p.querySelectorAll("details"), function (d) { open.push(d.open); });
    each.call(p.querySelectorAll("[data-keep]"), function (k) { kept[k.id] = k; });
    // an address already shown comes back empty: keep the one on screen (not revealed again)
    each.call(fresh.querySelectorAll("[data-keep]"), function (k) {
      if (kept[k.id] && !k.hasChildNodes()) k.replaceWith(kept[k.id]);
    });
    each.call(fresh.querySelectorAll("details"), function (d, i) { if (i < open.length) d.open = open[i]; });
    p.replaceWith(fresh);
    if (window.htmx) window.htmx.process(fresh);
  }
  function tap(e) { return e.detail.requestConfig && e.detail.requestConfig.triggeringEvent; }  // not a timer
  document.addEventListener("htmx:beforeRequest", function (e) { if (tap(e)) { pending += 1; taps += 1; } });
  document.addEventListener("htmx:afterSwap", function () {
    var p = part(), said = p && p.querySelector("[data-live-address]");
    if (said) p.setAttribute("data-live", said.getAttribute("data-live-address"));
  });
  document.addEventListener("htmx:afterRequest", function (e) { if (tap(e)) pending = Math.max(0, pending - 1); });
  setInterval(function () {
    var p = part(), asked = taps;
    if (!p || busy || pending || typing(p)) return;
    busy = true;
    fetch(p.getAttribute("data-live"), {credentials: "same-origin", cache: "no-store"})
      .then(function (r) { return r.status === 200 ? r.text() : null; })
      .then(function (html) { if (html && part() === p && taps === asked) swap(p, html); })
      .catch(function () {})  // a weak signal: the next tick asks again
      .then(function () { busy = false; });
  }, 3000);
})();
