// report.html's filter, inlined by pfnmap_report/html.py. Filtering only hides rows: every
// class and data attribute a test or a reader relies on is written by the generator, so the
// page reads the same with JavaScript off.
(function () {
  var filter = document.getElementById('filter');
  var onlyChanges = document.getElementById('only-changes');
  var onlyAttention = document.getElementById('only-attention');
  var count = document.getElementById('shown-count');
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr.row'));
  var groups = Array.prototype.slice.call(document.querySelectorAll('tr.group'));
  function apply() {
    var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0, shownOps = {};
    rows.forEach(function (row) {
      var text = row.getAttribute('data-search');
      var ok = words.every(function (w) { return text.indexOf(w) >= 0; });
      if (onlyChanges.checked && row.getAttribute('data-changes') !== '1') ok = false;
      if (onlyAttention.checked && row.getAttribute('data-all-expected') === '1') ok = false;
      row.classList.toggle('hidden', !ok);
      if (ok) { shown++; shownOps[row.getAttribute('data-operation')] = true; }
    });
    groups.forEach(function (group) {
      group.classList.toggle('hidden', !shownOps[group.getAttribute('data-operation')]);
    });
    count.textContent = shown + ' of ' + rows.length + ' cases shown';
    document.body.setAttribute('data-ready', '1');
  }
  filter.addEventListener('input', apply);
  onlyChanges.addEventListener('change', apply);
  onlyAttention.addEventListener('change', apply);
  apply();
})();
