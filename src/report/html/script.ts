/**
 * The page's one script, inline (allowed by its hash in the CSP): sorting and
 * filtering of tables, and copy buttons. Without it the page is complete: the
 * tables are plain, the filter boxes and copy buttons stay hidden, and the
 * Wireshark filters are selectable text. It reads the page, never the network,
 * and inserts no markup (only textContent and row order change).
 */
export const PAGE_SCRIPT = `(function () {
  'use strict';
  function keyOf(cell) {
    if (!cell) return '';
    var v = cell.getAttribute('data-v');
    if (v !== null) { var n = Number(v); return isNaN(n) ? v : n; }
    var t = cell.textContent.trim();
    if (t !== '' && /^-?[0-9][0-9,]*(\\.[0-9]+)?$/.test(t)) return Number(t.replace(/,/g, ''));
    return t.toLowerCase();
  }
  function compare(a, b) {
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    if (typeof a === 'number') return -1;
    if (typeof b === 'number') return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function (table) {
    var tbody = table.tBodies[0];
    if (!tbody) return;
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, col) {
      var label = th.textContent;
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'sort';
      button.textContent = label;
      th.textContent = '';
      th.appendChild(button);
      button.addEventListener('click', function () {
        var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
        var rows = Array.prototype.map.call(tbody.rows, function (row, i) { return { row: row, key: keyOf(row.cells[col]), i: i }; });
        rows.sort(function (a, b) { return dir * compare(a.key, b.key) || a.i - b.i; });
        // Reorder a detached body: one layout for the whole table instead of one invalidation per row.
        var next = tbody.nextSibling;
        table.removeChild(tbody);
        rows.forEach(function (r) { tbody.appendChild(r.row); });
        table.insertBefore(tbody, next);
      });
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll('.filter[data-table]'), function (box) {
    var table = document.getElementById(box.getAttribute('data-table'));
    if (!table || !table.tBodies[0]) return;
    var input = box.querySelector('input[type="text"]');
    var select = box.querySelector('select');
    var status = box.querySelector('.status');
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var texts = rows.map(function (r) { return r.textContent.toLowerCase(); });
    function apply() {
      var q = input ? input.value.trim().toLowerCase() : '';
      var v = select ? select.value : '';
      var shown = 0;
      rows.forEach(function (r, i) {
        var ok = (q === '' || texts[i].indexOf(q) >= 0) && (v === '' || r.getAttribute('data-verdict') === v);
        r.hidden = !ok;
        if (ok) shown++;
      });
      if (status) status.textContent = shown + ' of ' + rows.length + ' rows shown';
    }
    if (input) input.addEventListener('input', apply);
    if (select) select.addEventListener('change', apply);
    box.hidden = false;
    apply();
  });
  Array.prototype.forEach.call(document.querySelectorAll('button.copy'), function (button) {
    var target = document.getElementById(button.getAttribute('data-target'));
    if (!target) return;
    button.hidden = false;
    button.addEventListener('click', function () {
      var value = target.value !== undefined ? target.value : target.textContent;
      function done(ok) {
        button.textContent = ok ? 'Copied' : 'Select and copy';
        setTimeout(function () { button.textContent = 'Copy'; }, 1500);
      }
      function fallback() {
        try { target.focus(); target.select(); done(document.execCommand('copy')); } catch (e) { done(false); }
      }
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(value).then(function () { done(true); }, fallback);
      else fallback();
    });
  });
})();`;
