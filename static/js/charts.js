/* Draws the page's Plotly figures from the JSON the server built (json_script "figures").
   The page's locale for Plotly's own words; the number separators come with the figure (the server's one rule,
   core.formatting.plotly_separators). The modebar keeps the PNG download button. */
(function () {
  "use strict";
  var source = document.getElementById("figures");
  if (!source || typeof Plotly === "undefined") { return; }
  var figures = JSON.parse(source.textContent);
  var lang = document.documentElement.lang === "en" ? "en" : "vi";
  document.querySelectorAll("[data-figure]").forEach(function (element) {
    var figure = figures[element.dataset.figure];
    if (!figure) { return; }
    var layout = Object.assign({ autosize: true }, figure.layout);
    Plotly.newPlot(element, figure.data, layout, {
      locale: lang,
      responsive: true,
      displaylogo: false,
      modeBarButtonsToRemove: ["sendChartToCloud", "select2d", "lasso2d", "autoScale2d"],
      toImageButtonOptions: { format: "png", filename: element.dataset.filename || element.dataset.figure, scale: 2 }
    });
  });
})();
