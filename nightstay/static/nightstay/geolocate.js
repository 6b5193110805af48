// "Use this phone's location": fills the hidden lat/lon fields, rounded to ~100 m before
// anything leaves the phone. The button shows only where the browser can locate.
(function () {
  var button = document.querySelector("[data-geolocate]");
  if (!button || !navigator.geolocation) return;
  var status = document.querySelector("[data-geo-status]");
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.querySelector("[data-geo-lat]").value = pos.coords.latitude.toFixed(3);
      document.querySelector("[data-geo-lon]").value = pos.coords.longitude.toFixed(3);
      status.textContent = status.dataset.geoOk;
    }, function () {
      status.textContent = status.dataset.geoFail;
    }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 });
  });
})();
