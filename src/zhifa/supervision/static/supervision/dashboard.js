// Draws the dashboard's charts (SUP-01) with the vendored ECharts; the figures
// come from the page itself (json_script), the same as the tables beside them.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  function draw(id, title, pairs, type) {
    var el = document.getElementById(id);
    if (!el || typeof echarts === "undefined") return;
    var chart = echarts.init(el);
    var names = pairs.map(function (p) { return p[0]; });
    var values = pairs.map(function (p) { return p[1]; });
    var option = type === "pie"
      ? { title: { text: title, textStyle: { fontSize: 14 } }, tooltip: {},
          series: [{ type: "pie", radius: "60%",
            data: pairs.map(function (p) { return { name: p[0], value: p[1] }; }) }] }
      : { title: { text: title, textStyle: { fontSize: 14 } }, tooltip: {},
          xAxis: { type: "category", data: names, axisLabel: { interval: 0, rotate: 30 } },
          yAxis: { type: "value", minInterval: 1 },
          series: [{ type: type, data: values }] };
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  }
  draw("chart-kinds", "按执法类别", data.kinds, "pie");
  draw("chart-stages", "按环节", data.stages, "bar");
  draw("chart-months", "按启动月份（近12个月）", data.months, "line");
})();
