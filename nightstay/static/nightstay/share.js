// "Share this link": the phone's own share sheet where there is one (navigator.share), else a
// copy to the clipboard, else the link selected in its box for a long-press copy. Nothing is
// sent anywhere by this page: the volunteer chooses where the link goes.
(function () {
  document.querySelectorAll("[data-share]").forEach(function (button) {
    var box = document.getElementById(button.dataset.share);
    var status = document.querySelector("[data-share-status]");
    var say = function (word) { if (status) status.textContent = word; };
    button.hidden = false;
    button.addEventListener("click", function () {
      var url = box.value;
      if (navigator.share) {
        navigator.share({ title: button.dataset.title, url: url }).catch(function () {});
        return;
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(url).then(function () { say(button.dataset.copied); },
                                                function () { box.select(); say(button.dataset.select); });
        return;
      }
      box.hidden = false;
      box.select();
      say(button.dataset.select);
    });
  });
})();
