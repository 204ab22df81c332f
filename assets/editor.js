// The editor (Ocat Data Page) in the browser: section toggles, rank-cell errors, and a Submit that never reads a
// value the user is still typing.
(function () {
  var ns = (window.dash_clientside = window.dash_clientside || {});

  ns.usintEditor = {
    // Open or close the clicked section at once (its body is built by the server on first open).
    toggleSection: function (clicks, opened) {
      var cc = window.dash_clientside.callback_context;
      var key = cc.triggered_id && cc.triggered_id.key;
      var keys = cc.states_list[0].map(function (s) { return s.id.key; });
      var now = keys.map(function (k, i) { return k === key ? !opened[i] : opened[i]; });
      return [now, now.map(function (o) { return "usint-section-toggle" + (o ? " open" : ""); })];
    },

    // The validator's refused rank cells, where the grids' cell rules read them (assets/dashAgGridFunctions.js),
    // then every grid on the page repaints.
    paintRankErrors: function (errors) {
      window.usintRankErrors = errors || {};
      ["time", "roll", "window"].forEach(function (key) {
        try {
          window.dash_ag_grid.getApi({ type: "editor-grid", key: key }).refreshCells({ force: true });
        } catch (e) { /* that grid is not on the page (its section was never opened) */ }
      });
    },
  };

  // Text fields send their value 300 ms after the last key. A press on Submit sooner than that first sends what
  // the fields hold, so the confirm step checks exactly what is on the screen.
  var typed = new WeakMap();
  document.addEventListener("input", function (e) {
    if (e.target && e.target.id && e.target.id.indexOf('"type":"editor-field"') > 0) typed.set(e.target, Date.now());
  }, true);
  document.addEventListener("pointerdown", function (e) {
    if (!e.target.closest || !e.target.closest("#editor-submit")) return;
    document.querySelectorAll("#editor-form input, #editor-form textarea").forEach(function (el) {
      var at = typed.get(el);
      if (at && Date.now() - at < 1000) {
        typed.delete(el);
        window.dash_clientside.set_props(JSON.parse(el.id), { value: el.value });
      }
    });
  }, true);
})();
