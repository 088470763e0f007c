// 年报库 charts: each <figure class="chart"> holds a data table (the source, readable
// without JavaScript) and a server-drawn SVG; Apache ECharts redraws the chart from
// the table, with tooltips. Without JavaScript the SVG and the table stay as they are.
(function () {
  "use strict";
  if (!window.echarts) return;
  var palette = ["#2f6db5", "#d9822b", "#3a9a5b", "#b5412f", "#7d5ba6", "#6b7280"];
  function read(table) {
    var names = [], categories = [], series = [];
    table.querySelectorAll("thead th").forEach(function (th, i) { if (i) names.push(th.textContent); });
    names.forEach(function () { series.push([]); });
    table.querySelectorAll("tbody tr").forEach(function (tr) {
      var th = tr.querySelector("th");
      if (!th) return;
      categories.push(th.textContent);
      tr.querySelectorAll("td").forEach(function (td, i) {
        var v = td.getAttribute("data-value");
        series[i].push(v === "" || v === null ? null : Number(v));
      });
    });
    return {names: names, categories: categories, series: series};
  }
  function format(percent) {
    return function (v) {
      if (v === null || v === undefined) return "—";
      return percent ? (v * 100).toFixed(1) + "%" : Number(v).toLocaleString("zh-CN");
    };
  }
  document.querySelectorAll("figure.chart").forEach(function (figure) {
    var table = figure.querySelector("table.chart-data");
    var box = figure.querySelector(".chart-canvas");
    var data = read(table);
    if (!data.categories.length) return;
    var percent = table.getAttribute("data-percent") === "1";
    var bar = table.getAttribute("data-kind") === "bar";
    var fmt = format(percent);
    box.textContent = "";
    box.style.height = (bar ? Math.max(160, 40 + data.categories.length * data.names.length * 26) : 300) + "px";
    var chart = echarts.init(box, null, {renderer: "svg"});
    var category = {type: "category", data: data.categories, inverse: bar,
                    axisLabel: {width: 220, overflow: "truncate"}};
    var value = {type: "value", axisLabel: {formatter: fmt}};
    chart.setOption({
      color: palette,
      aria: {enabled: true},
      tooltip: {trigger: "axis", renderMode: "richText", valueFormatter: fmt},
      legend: data.names.length > 1 ? {top: 0} : undefined,
      grid: {left: 8, right: 48, top: data.names.length > 1 ? 32 : 8, bottom: 8, containLabel: true},
      xAxis: bar ? value : category,
      yAxis: bar ? category : value,
      series: data.series.map(function (values, i) {
        return {name: data.names[i], type: bar ? "bar" : "line", data: values, connectNulls: false,
                showSymbol: true, symbolSize: 8,
                label: bar ? {show: true, position: "right", formatter: function (p) { return fmt(p.value); }} : undefined};
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
