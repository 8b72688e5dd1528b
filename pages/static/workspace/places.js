// Draw the boundaries a page holds as GeoJSON (script#pm-places-data) with Leaflet and no tile layer:
// nothing is fetched. Each place is filled with its shade; hover names it (as text), a click opens it.
(function () {
  "use strict";
  var holder = document.getElementById("pm-map");
  var source = document.getElementById("pm-places-data");
  if (!holder || !source || typeof L === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var map = L.map(holder, {attributionControl: false, zoomSnap: 0.25});
  var layer = L.geoJSON(data, {
    style: function (feature) {
      return {color: "#0b0c0c", weight: 1, fillColor: feature.properties.fill, fillOpacity: 0.85};
    },
    onEachFeature: function (feature, shape) {
      var label = document.createElement("span");
      label.textContent = feature.properties.name +
        (feature.properties.value === undefined ? "" : ": " + feature.properties.value);
      shape.bindTooltip(label, {sticky: true});
      if (feature.properties.href) {
        shape.on("click", function () { window.location.href = feature.properties.href; });
      }
    }
  }).addTo(map);
  map.fitBounds(layer.getBounds());
  holder.setAttribute("data-drawn", "true");
  window.partnermapMap = map;
})();
