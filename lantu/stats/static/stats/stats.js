/* Render every [data-chart] element with ECharts from the JSON option the server wrote beside it
   (SVG, so charts print sharply). Marks each rendered chart with data-rendered="1" (the browser
   test waits for it). Without ECharts (not installed) the tables under the charts remain. */
(function () {
  function render() {
    if (typeof echarts === "undefined") {
      document.querySelectorAll(".chart-table").forEach(function (d) { d.open = true; });
      return;
    }
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var option = JSON.parse(document.getElementById(el.getAttribute("data-chart")).textContent);
      option.animation = false;
      var chart = echarts.init(el, null, {renderer: "svg"});
      chart.on("finished", function () { el.setAttribute("data-rendered", "1"); });
      chart.setOption(option);
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
    window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", render);
  else render();
})();
