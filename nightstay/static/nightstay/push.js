// "Get messages on this phone": subscribe this browser to web push with the site's VAPID key and
// hand the subscription to the site (form[data-push-key], templates/messaging/_push_button.html);
// "Stop" forgets it on both sides. Shown only where the browser can do push at all.
(function () {
  "use strict";
  var form = document.querySelector("form[data-push-key]");
  if (!form || !("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) return;
  var on = form.querySelector("[data-push-on]"), off = form.querySelector("[data-push-off]");
  var status = form.querySelector("[data-push-status]");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  function show(subscribed, text) {
    on.hidden = !subscribed;
    off.hidden = subscribed;
    status.textContent = text || "";
  }
  function key(b64url) {  // the applicationServerKey: base64url text to bytes
    var raw = atob(b64url.replace(/-/g, "+").replace(/_/g, "/") + "====".slice(b64url.length % 4 || 4));
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }
  function post(url, body) {
    return fetch(url, {method: "POST", credentials: "same-origin", body: JSON.stringify(body),
                       headers: {"Content-Type": "application/json", "X-CSRFToken": token}})
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r; });
  }
  function registration() {  // the push worker's registration, once its worker is active
    return navigator.serviceWorker.register(form.getAttribute("data-push-sw")).then(function (reg) {
      var worker = reg.installing || reg.waiting;
      if (reg.active || !worker) return reg;
      return new Promise(function (resolve) {
        worker.addEventListener("statechange", function () { if (worker.state === "activated") resolve(reg); });
      });
    });
  }

  form.hidden = false;
  registration().then(function (reg) { return reg.pushManager.getSubscription(); })
    // "on" only if the site still has it for this session: a log-out forgets it on the site, not in the browser
    .then(function (sub) { show(!!sub && form.hasAttribute("data-push-here")); }, function () { show(false); });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") throw new Error("denied");
      return registration();
    }).then(function (reg) {
      return reg.pushManager.subscribe({userVisibleOnly: true, applicationServerKey: key(form.getAttribute("data-push-key"))});
    }).then(function (sub) {
      return post(form.action, sub.toJSON());
    }).then(function () {
      show(true);
    }, function (error) {
      show(false, form.getAttribute(error && error.message === "denied" ? "data-push-denied" : "data-push-failed"));
    });
  });

  form.querySelector("[data-push-stop-button]").addEventListener("click", function () {
    registration().then(function (reg) { return reg.pushManager.getSubscription(); }).then(function (sub) {
      if (!sub) return;
      return post(form.getAttribute("data-push-stop"), {endpoint: sub.endpoint}).then(function () { return sub.unsubscribe(); });
    }).then(function () { show(false); }, function () { show(true, form.getAttribute("data-push-failed")); });
  });
})();
