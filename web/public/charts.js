/* The one chart wrapper: shared chart.js defaults; the social total with its targets, and one small chart per
   platform group under it (small multiples), each y-axis scaled to its own data — or growth as bars. */
/* global document, window, Chart */
(function () {
  'use strict';
  if (typeof Chart === 'undefined') return;

  Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif';
  Chart.defaults.font.size = 13;
  Chart.defaults.color = '#374151';
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.responsive = true;

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

  /** Day-to-day (or ISO-week) change of a daily series: a gap stays a gap, never a fall to zero. */
  function growthBars(points, weekly) {
    var out = [];
    var prev = null;
    var week = null;
    points.forEach(function (p) {
      var change = p.y !== null && prev !== null ? p.y - prev : null;
      if (p.y !== null) prev = p.y;
      if (!weekly) { out.push({ x: p.x, y: change }); return; }
      var d = new Date(p.x + 'T00:00:00Z');
      var monday = new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * 86400000).toISOString().slice(0, 10);
      if (!week || week.x !== monday) { week = { x: monday, y: null }; out.push(week); }
      if (change !== null) week.y = (week.y || 0) + change;
    });
    return out;
  }

  /** A tick unit for the range: weeks for a quarter, months for a year, quarters beyond. */
  function unitOf(data) {
    if (data.view === 'weekly') return 'week';
    var days = (Date.parse(data.xMax) - Date.parse(data.xMin)) / 86400000;
    return days <= 120 ? 'week' : days <= 800 ? 'month' : 'quarter';
  }

  function timeScale(data, small) {
    return {
      type: 'time', min: data.xMin, max: data.xMax, offset: data.view !== 'audience',
      time: { tooltipFormat: data.lang === 'en' ? 'd MMM yyyy' : 'dd.MM.yyyy', displayFormats: displayFormats(data.lang), unit: unitOf(data) },
      grid: { color: '#eef0f3' }, ticks: { maxRotation: 0, autoSkip: true, autoSkipPadding: small ? 24 : 16, font: { size: small ? 11 : 13 } },
    };
  }

  function draw(canvas, data, group, small) {
    var fmt = numberFormat(data.locale);
    var series = data.series.filter(function (s) { return s.key === group; })[0];
    if (!series) return null;
    var datasets = [];
    if (data.view === 'audience') {
      datasets.push({
        label: series.label, data: series.data, borderColor: series.color, backgroundColor: series.color,
        borderWidth: small ? 2 : 3, pointRadius: 0, pointHitRadius: 4, tension: 0, spanGaps: false, order: 2, kind: 'actual',
      });
      data.targets.filter(function (tg) { return tg.group === group; }).forEach(function (tg) {
        datasets.push({
          label: tg.pathLabel, data: tg.path, borderColor: tg.color, backgroundColor: tg.color, borderDash: [8, 5],
          borderWidth: 2, pointRadius: 0, tension: 0, spanGaps: true, order: 3, kind: 'path',
        });
        if (tg.forecast) {
          datasets.push({
            label: tg.forecastLabel, data: tg.forecast, borderColor: tg.color, backgroundColor: tg.color, borderDash: [2, 4],
            borderWidth: 2, pointRadius: 0, tension: 0, spanGaps: true, order: 3, kind: 'forecast',
          });
        }
        if (tg.point) {
          datasets.push({
            label: tg.pointLabel, data: [tg.point], borderColor: '#ffffff', backgroundColor: tg.color, borderWidth: 2,
            pointRadius: small ? 5 : 7, pointHoverRadius: 9, showLine: false, order: 1, kind: 'target', details: tg.details,
          });
        }
      });
    } else {
      datasets.push({
        type: 'bar', label: series.label + ': ' + data.labels[data.view], data: growthBars(series.data, data.view === 'weekly'),
        backgroundColor: series.color, borderWidth: 0, kind: 'growth',
      });
    }

    var chart = new Chart(canvas, {
      type: data.view === 'audience' ? 'line' : 'bar',
      data: { datasets: datasets },
      options: {
        parsing: { xAxisKey: 'x', yAxisKey: 'y' },
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: {
          x: timeScale(data, small),
          // Audience is scaled to its data (2 % a month must not look flat); growth bars start at zero.
          y: {
            beginAtZero: data.view !== 'audience', grace: data.view === 'audience' ? '4%' : 0,
            grid: { color: '#eef0f3' }, ticks: { maxTicksLimit: small ? 4 : 7, font: { size: small ? 11 : 13 }, callback: function (v) { return fmt(v); } },
          },
        },
        plugins: {
          // The page prints one compact legend under the chart instead of one entry per dataset.
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: function (item) { return item.dataset.label + ': ' + fmt(item.parsed.y); },
              afterLabel: function (item) { return item.dataset.kind === 'target' ? item.dataset.details : undefined; },
            },
          },
        },
      },
    });
    canvas.setAttribute('data-ready', '1');
    return chart;
  }

  var block = document.getElementById('audience-chart-data');
  if (!block) return;
  var data = JSON.parse(block.textContent);
  var main = document.getElementById('audience-chart');
  var mainGroup = data.series.some(function (s) { return s.key === 'social'; }) ? 'social' : (data.series[0] || {}).key;
  if (main) draw(main, data, mainGroup, false);
  document.querySelectorAll('canvas[data-group]').forEach(function (canvas) {
    draw(canvas, data, canvas.getAttribute('data-group'), true);
  });

  // Printing lays the page out anew: the charts follow their (fixed-size) boxes instead of keeping the screen's width.
  function resizeAll() {
    Object.values(Chart.instances).forEach(function (c) { c.resize(); });
  }
  window.addEventListener('beforeprint', resizeAll);
  window.addEventListener('afterprint', resizeAll);
  if (window.matchMedia) {
    var mq = window.matchMedia('print');
    if (mq.addEventListener) mq.addEventListener('change', resizeAll);
  }
})();

/* The Publications page's charts: posts per week by platform (bars), engagement and view rate per week (lines). */
(function () {
  'use strict';
  if (typeof Chart === 'undefined') return;
  function numberFormat(locale) {
    var nf = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
    return function (v) { return v === null || v === undefined ? '—' : nf.format(v).replace('-', '\u2212'); };
  }
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
