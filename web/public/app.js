/* Dashboard behaviour without a framework: sortable tables, filter forms that apply themselves, row drill-down. */
/* global document, window */
(function () {
  'use strict';

  function cellValue(row, index, type) {
    var cell = row.cells[index];
    if (!cell) return null;
    var raw = cell.hasAttribute('data-value') ? cell.getAttribute('data-value') : cell.textContent.trim();
    if (type === 'num') {
      if (raw === '' || raw === null) return null;
      var n = Number(raw);
      return Number.isFinite(n) ? n : null;
    }
    return raw.toLocaleLowerCase();
  }

  function sortTable(table, th) {
    var headRow = th.parentNode;
    var index = Array.prototype.indexOf.call(headRow.children, th);
    var type = th.getAttribute('data-sort') || 'text';
    var ascending = th.getAttribute('aria-sort') !== 'ascending';
    Array.prototype.forEach.call(headRow.children, function (other) { other.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var collator = new Intl.Collator(document.documentElement.lang || undefined, { numeric: true });
    rows.sort(function (a, b) {
      var x = cellValue(a, index, type);
      var y = cellValue(b, index, type);
      // Empty values ("no data") always go last, whichever the direction.
      if (x === null && y === null) return 0;
      if (x === null) return 1;
      if (y === null) return -1;
      var c = type === 'num' ? x - y : collator.compare(x, y);
      return ascending ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }

  document.querySelectorAll('table.sortable').forEach(function (table) {
    table.querySelectorAll('th[data-sort]').forEach(function (th) {
      var button = th.querySelector('button') || th;
      button.addEventListener('click', function () { sortTable(table, th); });
    });
  });

  // Clicking a row (not a link in it) opens the organisation.
  document.querySelectorAll('tr[data-href]').forEach(function (row) {
    row.classList.add('clickable');
    row.addEventListener('click', function (event) {
      if (event.target.closest('a, button, input, select')) return;
      window.location.href = row.getAttribute('data-href');
    });
  });

  // Filters apply as soon as they change; the custom range shows its date inputs instead.
  document.querySelectorAll('select.autosubmit, input.autosubmit').forEach(function (select) {
    select.addEventListener('change', function () {
      var form = select.form;
      var custom = form.querySelector('.custom-range');
      if (select.hasAttribute('data-custom-toggle') && custom) {
        custom.hidden = select.value !== 'custom';
        if (select.value === 'custom') return;
        custom.querySelectorAll('input').forEach(function (input) { input.disabled = true; });
      }
      form.submit();
    });
  });

  // A search box over a long table: rows whose text does not contain every typed word are hidden.
  document.querySelectorAll('input[data-filter-table]').forEach(function (input) {
    var table = document.getElementById(input.getAttribute('data-filter-table'));
    if (!table) return;
    input.addEventListener('input', function () {
      var words = input.value.toLocaleLowerCase().split(/\s+/).filter(Boolean);
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        var text = row.textContent.toLocaleLowerCase();
        row.hidden = !words.every(function (w) { return text.indexOf(w) >= 0; });
      });
    });
  });

  document.querySelectorAll('[data-print]').forEach(function (button) {
    button.addEventListener('click', function () { window.print(); });
  });

  // A chosen CSV file is read into the form's text area, so it is posted (and previewed) as text.
  document.querySelectorAll('input[type="file"][data-fill]').forEach(function (input) {
    input.addEventListener('change', function () {
      var target = document.getElementById(input.getAttribute('data-fill'));
      var file = input.files && input.files[0];
      if (!target || !file) return;
      var reader = new window.FileReader();
      reader.onload = function () { target.value = String(reader.result || '').replace(/^\uFEFF/, ''); };
      reader.readAsText(file);
    });
  });
})();
