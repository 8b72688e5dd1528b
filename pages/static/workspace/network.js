// Draw the network a page holds as JSON (script#pm-network-data) with vis-network, nodes where the
// server placed them (no two labels overlap), physics off. Hover texts are DOM nodes filled with
// textContent, so no name from the data is ever parsed as HTML; a click opens the node's profile.
(function () {
  "use strict";
  var holder = document.getElementById("pm-network");
  var source = document.getElementById("pm-network-data");
  if (!holder || !source || typeof vis === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  function hover(text) {
    var box = document.createElement("div");
    box.className = "pm-tooltip";
    box.textContent = text;
    return box;
  }
  var nodes = new vis.DataSet(data.nodes.map(function (n) {
    return {
      id: n.id, label: n.label, title: hover(n.hover), shape: n.shape, size: n.size, x: n.x, y: n.y,
      color: {background: n.colour, border: n.flagged ? "#d4351c" : "#0b0c0c",
              highlight: {background: n.colour, border: "#0b0c0c"}, hover: {background: n.colour, border: "#0b0c0c"}},
      borderWidth: n.flagged ? 5 : (n.change ? 3 : 1.5),
      shapeProperties: {borderDashes: n.change && n.change.indexOf("left") === 0 ? [6, 4] : false},
      font: {size: 14, face: "system-ui, sans-serif", color: "#0b0c0c", strokeWidth: 3, strokeColor: "#ffffff"}
    };
  }));
  var edges = new vis.DataSet(data.edges.map(function (e, i) {
    // What joined is drawn thick, solid and green; what left dashed: the key says so in words.
    var joined = e.change === "joined", left = e.change === "left";
    return {id: i, from: e.from, to: e.to, width: joined ? 5 : (e.chair ? 4 : 1), dashes: left ? [8, 6] : false,
            color: {color: joined ? "#00703c" : (left ? "#505a5f" : "#8a9bb0"), highlight: "#0b0c0c"},
            arrows: {to: {enabled: true, scaleFactor: 0.5}}};
  }));
  var hrefs = {};
  data.nodes.forEach(function (n) { hrefs[n.id] = n.href; });
  var network = new vis.Network(holder, {nodes: nodes, edges: edges}, {
    physics: false,
    layout: {improvedLayout: false},
    edges: {smooth: false},
    interaction: {hover: true, tooltipDelay: 100, keyboard: {enabled: true, bindToWindow: false}, navigationButtons: false}
  });
  network.fit();
  network.on("click", function (params) {
    if (params.nodes.length === 1 && hrefs[params.nodes[0]]) { window.location.href = hrefs[params.nodes[0]]; }
  });
  network.once("afterDrawing", function () { holder.setAttribute("data-drawn", "true"); });
  window.partnermapNetwork = network;
})();
