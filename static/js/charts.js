/* Draws the page's Plotly figures from the JSON the server built (json_script "figures").
   The page's locale for Plotly's own words; the number separators come with the figure (the server's one rule,
   core.formatting.plotly_separators). The modebar keeps the PNG download button.
   A figure with "views" (dashboards.charts.time_views: its data and next milestone, or the whole plan to 2045)
   gets a pair of buttons above it that move both axes to the chosen span. */
(function () {
  "use strict";
  var source = document.getElementById("figures");
  if (!source || typeof Plotly === "undefined") { return; }
  var figures = JSON.parse(source.textContent);
  var lang = document.documentElement.lang === "en" ? "en" : "vi";

  function addViews(element, figure) {
    var group = document.createElement("div");
    group.className = "chartviews";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", figure.views_label || "");
    figure.views.forEach(function (view, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button secondary small";
      button.textContent = view.label;
      button.dataset.view = view.key;
      button.setAttribute("aria-pressed", index === 0 ? "true" : "false");
      button.addEventListener("click", function () {
        Plotly.relayout(element, { "xaxis.range": view.range, "yaxis.range": view.yrange });
        group.querySelectorAll("button").forEach(function (other) {
          other.setAttribute("aria-pressed", other === button ? "true" : "false");
        });
      });
      group.appendChild(button);
    });
    element.parentNode.insertBefore(group, element);
  }

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
    if (figure.views && figure.views.length > 1) { addViews(element, figure); }
  });
})();
