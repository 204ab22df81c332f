// The editor (Ocat Data Page) in the browser: section toggles, rank-cell errors, a Submit that never reads a value
// the user is still typing, the draft this browser keeps per obsid, and a question before leaving unsaved edits.
(function () {
  var ns = (window.dash_clientside = window.dash_clientside || {});
  var HIDE = { display: "none" };
  var DRAFT_KEY = "usint-editor-draft:";
  // What the page holds: `dirty` while there are edits not submitted (set from each live check's draft).
  var state = (window.usintEditorState = { obsid: null, dirty: false, leaving: false });

  function storage() {
    try {
      return window.localStorage;
    } catch (e) {
      return null; // storage refused (privacy settings): nothing is kept, the rest works
    }
  }

  function readDraft(obsid) {
    var store = storage();
    if (!store || obsid == null) return null;
    try {
      var draft = JSON.parse(store.getItem(DRAFT_KEY + obsid));
      return draft && draft.dirty && draft.obsid === obsid ? draft : null;
    } catch (e) {
      return null;
    }
  }

  function dropDraft(obsid) {
    var store = storage();
    if (store && obsid != null) store.removeItem(DRAFT_KEY + obsid);
  }

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

    // Each live check sends what the page holds: kept in this browser while there are edits, forgotten when
    // there are none or after a submit.
    saveDraft: function (draft) {
      if (!draft) return;
      state.obsid = draft.obsid;
      state.dirty = !!draft.dirty;
      var store = storage();
      if (!store) return;
      if (draft.dirty) {
        var kept = Object.assign({}, draft, { saved_at: Date.now() });
        try {
          store.setItem(DRAFT_KEY + draft.obsid, JSON.stringify(kept));
        } catch (e) { /* storage full: the page still asks before leaving */ }
      } else {
        dropDraft(draft.obsid);
      }
    },

    // When the page arrives: a draft kept for this obsid is offered (restore or discard).
    offerDraft: function (record) {
      if (!record || record.obsid == null) throw window.dash_clientside.PreventUpdate;
      state.obsid = record.obsid;
      state.dirty = false;
      state.leaving = false;
      var draft = readDraft(record.obsid);
      if (!draft) return [HIDE, "", null];
      var when = draft.saved_at ? new Date(draft.saved_at).toLocaleString() : "earlier";
      var what = (draft.labels || []).slice(0, 8).join(", ");
      if ((draft.labels || []).length > 8) what += " and " + (draft.labels.length - 8) + " more";
      if (draft.extras) what += (what ? "; " : "") + "Multi-Obsid " + draft.extras.slice(0, 60);
      var text = "This browser kept edits of obsid " + record.obsid + " that were not submitted (" + when + "): " +
        (what || "the submit options") + ".";
      return [{}, text, draft];
    },

    // Discard the offered draft (not newer work saved since the page arrived).
    discardDraft: function (n, offered) {
      var now = offered && readDraft(offered.obsid);
      if (now && now.saved_at === offered.saved_at) dropDraft(offered.obsid);
      return [HIDE, null];
    },

    // Finalize opens once the user ticked that the revisions others submitted meanwhile were seen, unless
    // something else blocks it (the same rule as callbacks/editor.py finalize_gate).
    finalizeGate: function (ack, confirmState) {
      var s = confirmState || {};
      if (s.block) return [true, s.block];
      if (s.ack_needed && !(ack && ack.length)) return [true, s.ack_needed];
      return [false, ""];
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

  // Dash 4's dropdown names its button by `<id>-value-count <id>-value`, and the first element does not exist:
  // the editor's dropdowns are named by their field label and their value instead (the label's group carries
  // the label id, pages/_components/editor_fields.py). React never writes the attribute again (it does not change).
  var labelQueued = false;
  function labelDropdowns() {
    labelQueued = false;
    document.querySelectorAll('#editor-form [role="group"][aria-labelledby^="editor-label-"]').forEach(function (g) {
      var button = g.querySelector("button.dash-dropdown[id]");
      if (!button) return;
      var want = g.getAttribute("aria-labelledby") + " " + button.id + "-value";
      if (button.getAttribute("aria-labelledby") !== want) button.setAttribute("aria-labelledby", want);
      // aria-controls names the option list, which exists only while the dropdown is open
      var list = button.getAttribute("aria-controls") || button.getAttribute("data-usint-controls");
      if (!list) return;
      button.setAttribute("data-usint-controls", list);
      if (document.getElementById(list)) {
        if (button.getAttribute("aria-controls") !== list) button.setAttribute("aria-controls", list);
      } else if (button.hasAttribute("aria-controls")) {
        button.removeAttribute("aria-controls");
      }
    });
  }
  new MutationObserver(function () {
    if (labelQueued || !document.getElementById("editor-form")) return;
    labelQueued = true;
    requestAnimationFrame(labelDropdowns);
  }).observe(document.documentElement, { childList: true, subtree: true });

  // ------------------------------------------------------------------------------------- never lose the work

  // Edits on the page that were not submitted (a successful submit shows its revision list).
  function unsaved() {
    return state.dirty && !state.leaving && !!document.getElementById("editor-form") &&
      !document.getElementById("editor-result-list");
  }

  function leaveQuestion() {
    return "You have edits of obsid " + state.obsid + " that are not submitted. Leave this page?\n\n" +
      "This browser keeps them: the editor offers them again when you open obsid " + state.obsid + ".";
  }

  // Asks, and returns true when the user wants to go on.
  function mayLeave(refresh) {
    if (!unsaved()) return true;
    var ok = window.confirm(refresh
      ? "Refresh reads obsid " + state.obsid + " from the Ocat again and drops your edits. Drop them?"
      : leaveQuestion());
    if (ok) {
      state.leaving = true; // no second question from beforeunload
      setTimeout(function () { state.leaving = false; }, 3000); // in case nothing left after all
      if (refresh) dropDraft(state.obsid);
    }
    return ok;
  }

  function stop(e) {
    e.preventDefault();
    e.stopImmediatePropagation();
  }

  // Reload, closing the tab, typing another address: the browser's own question.
  window.addEventListener("beforeunload", function (e) {
    if (!unsaved()) return;
    e.preventDefault();
    e.returnValue = "";
  });

  // Links (the navbar's included, before Dash's router sees the click) and the editor's Refresh buttons.
  document.addEventListener("click", function (e) {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    var el = e.target.closest && e.target.closest("a[href], #shell-jump-button");
    if (!el || !unsaved()) return;
    if (el.id === "shell-jump-button" && !jumps()) return;
    if (el.tagName === "A") {
      var href = el.getAttribute("href") || "";
      if (el.target === "_blank" || href.charAt(0) === "#" || el.getAttribute("data-leave") === "ok") return;
    }
    if (!mayLeave(el.classList.contains("usint-editor-refresh"))) stop(e);
  }, true);

  // The navbar's quick-jump box (Enter opens on key up, or Go) when it holds something it would open.
  function jumps() {
    var box = document.getElementById("shell-jump-input");
    return !!box && /^\s*[0-9]{1,9}(\.[0-9]{1,4})?\s*$/.test(box.value || "");
  }
  document.addEventListener("keyup", function (e) {
    if (e.key !== "Enter" || !e.target || e.target.id !== "shell-jump-input" || !jumps()) return;
    if (!mayLeave(false)) stop(e);
  }, true);
})();
