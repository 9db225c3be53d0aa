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
  // Publications page: posts per week by platform (bars), engagement and view rate per week (lines).
  function percentFormat(locale) {
    var nf = new Intl.NumberFormat(locale, { maximumFractionDigits: 1, minimumFractionDigits: 1 });
    return function (v) { return v === null || v === undefined ? '—' : nf.format(v) + (locale === 'en' ? '%' : '\u00a0%'); };
  }
  function weekLabels(data) {
    return data.weekStarts.map(function (d) {
      var p = d.split('-');
      return data.lang === 'en' ? new Date(Date.UTC(+p[0], +p[1] - 1, +p[2])).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' }) : p[2] + '.' + p[1];
    });
  }
  var pubBlock = document.getElementById('pub-chart-data');
  if (pubBlock) {
    var pub = JSON.parse(pubBlock.textContent);
    var locale = pub.lang === 'en' ? 'en-GB' : pub.lang === 'kk' ? 'kk-KZ' : 'ru-RU';
    var labels = weekLabels(pub);
    var bars = document.getElementById('posts-bars');
    if (bars) {
      new Chart(bars, {
        type: 'bar',
        data: { labels: labels, datasets: pub.bars.map(function (b) { return { label: pub.labels[b.key], data: b.data, backgroundColor: b.color, stack: 'posts' }; }) },
        options: {
          scales: { x: { stacked: true, grid: { display: false }, ticks: { maxRotation: 0, autoSkipPadding: 12 } }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0, callback: function (v) { return numberFormat(locale)(v); } } } },
          plugins: { legend: { position: 'bottom' }, tooltip: { callbacks: { title: function (items) { return pub.weeks[items[0].dataIndex]; } } } },
        },
      });
      bars.setAttribute('data-ready', '1');
    }
    var lines = document.getElementById('rates-lines');
    if (lines) {
      var pf = percentFormat(pub.lang === 'en' ? 'en' : locale);
      new Chart(lines, {
        type: 'line',
        data: {
          labels: labels,
          datasets: [
            { label: pub.labels.er, data: pub.er, borderColor: '#111827', backgroundColor: '#111827', borderWidth: 2, pointRadius: 2, spanGaps: false, yAxisID: 'y' },
            { label: pub.labels.vr, data: pub.vr, borderColor: '#229ED9', backgroundColor: '#229ED9', borderWidth: 2, borderDash: [6, 4], pointRadius: 2, spanGaps: false, yAxisID: 'y2' },
          ],
        },
        options: {
          interaction: { mode: 'index', intersect: false },
          scales: {
            x: { grid: { display: false }, ticks: { maxRotation: 0, autoSkipPadding: 12 } },
            y: { beginAtZero: true, position: 'left', ticks: { callback: function (v) { return pf(v); } } },
            y2: { beginAtZero: true, position: 'right', grid: { display: false }, ticks: { callback: function (v) { return pf(v); } } },
          },
          plugins: { legend: { position: 'bottom' }, tooltip: { callbacks: { title: function (items) { return pub.weeks[items[0].dataIndex]; }, label: function (item) { return item.dataset.label + ': ' + pf(item.parsed.y); } } } },
        },
      });
      lines.setAttribute('data-ready', '1');
    }
  }
})();
