// Live progress of a member import: polls the JSON figures and updates the bar,
// the counts and the state in place; reloads once the import is over (to show the report).
// Without JavaScript, the page's Refresh link does the same.
(function () {
  var root = document.querySelector("[data-import-progress]");
  if (!root) return;
  var url = root.getAttribute("data-import-progress");
  function tick() {
    fetch(url, { headers: { accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) {
        return r.ok ? r.json() : null;
      })
      .then(function (d) {
        if (!d) return setTimeout(tick, 3000);
        var bar = document.querySelector("[data-import-bar]");
        if (bar) {
          bar.max = Math.max(1, d.total);
          bar.value = d.cursor;
        }
        var text = document.querySelector("[data-import-text]");
        if (text) text.textContent = d.progressText;
        Object.keys(d.counts).forEach(function (k) {
          var el = document.querySelector('[data-count="' + k + '"]');
          if (el) el.textContent = d.counts[k];
        });
        if (d.state === "running") setTimeout(tick, 1000);
        else window.location.reload();
      })
      .catch(function () {
        setTimeout(tick, 5000);
      });
  }
  setTimeout(tick, 500);
})();
