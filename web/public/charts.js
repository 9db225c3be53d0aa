/* The one chart wrapper: shared chart.js defaults, and the audience chart drawn from a JSON data block. */
/* global document, Chart */
(function () {
  'use strict';
  if (typeof Chart === 'undefined') return;

  Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif';
  Chart.defaults.font.size = 13;
  Chart.defaults.color = '#374151';
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.responsive = true;
  Chart.defaults.plugins.legend.labels.usePointStyle = true;
  Chart.defaults.plugins.legend.labels.boxHeight = 8;

  var MINUS = '\u2212';

  function numberFormat(locale) {
    var nf = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
    return function (v) { return v === null || v === undefined ? '—' : nf.format(v).replace('-', MINUS); };
  }

  /** Date display formats for the time axis: numeric in ru/kk (date-fns month names would be English). */
  function displayFormats(lang) {
    if (lang === 'en') return { day: 'd MMM', week: 'd MMM', month: 'MMM yyyy', quarter: 'QQQ yyyy', year: 'yyyy' };
    return { day: 'dd.MM', week: 'dd.MM', month: 'MM.yyyy', quarter: 'QQQ yyyy', year: 'yyyy' };
  }

  function drawAudienceChart(canvas, data) {
    var fmt = numberFormat(data.locale);
    var datasets = [];
    data.series.forEach(function (s) {
      datasets.push({
        label: s.label, data: s.data, borderColor: s.color, backgroundColor: s.color,
        borderWidth: s.key === 'social' ? 3 : 2, pointRadius: 0, pointHitRadius: 4, tension: 0, spanGaps: false, order: 2,
        kind: 'actual',
      });
    });
    data.targets.forEach(function (tg) {
      datasets.push({
        label: tg.pathLabel, data: tg.path, borderColor: tg.color, backgroundColor: tg.color, borderDash: [8, 5],
        borderWidth: 2, pointRadius: 0, pointStyle: 'line', tension: 0, spanGaps: true, order: 3, kind: 'path',
      });
      if (tg.forecast) {
        datasets.push({
          label: tg.forecastLabel, data: tg.forecast, borderColor: tg.color, backgroundColor: tg.color, borderDash: [2, 4],
          borderWidth: 2, pointRadius: 0, pointStyle: 'line', tension: 0, spanGaps: true, order: 3, kind: 'forecast',
        });
      }
      datasets.push({
        label: tg.pointLabel, data: [tg.point], borderColor: '#ffffff', backgroundColor: tg.color, borderWidth: 2,
        pointRadius: 7, pointHoverRadius: 9, showLine: false, order: 1, kind: 'target', details: tg.details,
      });
    });

    var chart = new Chart(canvas, {
      type: 'line',
      data: { datasets: datasets },
      options: {
        parsing: { xAxisKey: 'x', yAxisKey: 'y' },
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: {
          x: {
            type: 'time', min: data.xMin, max: data.xMax,
            time: { tooltipFormat: data.lang === 'en' ? 'd MMM yyyy' : 'dd.MM.yyyy', displayFormats: displayFormats(data.lang) },
            grid: { color: '#eef0f3' }, ticks: { maxRotation: 0, autoSkipPadding: 16 },
          },
          y: { beginAtZero: true, grid: { color: '#eef0f3' }, ticks: { callback: function (v) { return fmt(v); } } },
        },
        plugins: {
          legend: {
            position: 'bottom',
            labels: { filter: function (item, chartData) { return chartData.datasets[item.datasetIndex].kind !== 'target'; } },
          },
          tooltip: {
            callbacks: {
              label: function (item) {
                var ds = item.dataset;
                var line = ds.label + ': ' + fmt(item.parsed.y);
                return line;
              },
              afterLabel: function (item) {
                return item.dataset.kind === 'target' ? item.dataset.details : undefined;
              },
            },
          },
        },
      },
    });
    canvas.setAttribute('data-ready', '1');
    return chart;
  }

  document.querySelectorAll('canvas[id$="-chart"]').forEach(function (canvas) {
    var block = document.getElementById(canvas.id + '-data');
    if (!block) return;
    drawAudienceChart(canvas, JSON.parse(block.textContent));
  });
})();
