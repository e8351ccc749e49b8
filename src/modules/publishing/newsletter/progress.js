// Live progress of a newsletter send: polls the JSON figures and updates the
// numbers and the bar in place. Without JavaScript, the page's Refresh link does the same.
(function () {
  var root = document.querySelector("[data-nl-progress]");
  if (!root) return;
  var url = root.getAttribute("data-nl-progress");
  var fmt = new Intl.NumberFormat(document.documentElement.lang === "fr" ? "fr-FR" : "en-GB");
  function tick() {
    fetch(url, { headers: { accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) {
        return r.ok ? r.json() : null;
      })
      .then(function (d) {
        if (!d) return;
        Object.keys(d.figures).forEach(function (k) {
          var el = document.querySelector('[data-fig="' + k + '"]');
          if (el) el.textContent = fmt.format(d.figures[k]);
        });
        var bar = document.querySelector("[data-nl-bar]");
        if (bar) {
          bar.max = Math.max(1, d.figures.recipients);
          bar.value = d.figures.settled;
        }
        var text = document.querySelector("[data-nl-text]");
        if (text && d.progressText) text.textContent = d.progressText;
        var state = document.querySelector("[data-nl-state]");
        if (state && d.stateLabel) {
          state.textContent = d.stateLabel;
          state.className = "badge " + (d.state === "finished" ? "ok" : "warn");
        }
        if (d.state === "sending" || d.state === "scheduled") setTimeout(tick, 1500);
      })
      .catch(function () {
        setTimeout(tick, 5000);
      });
  }
  setTimeout(tick, 1000);
})();
