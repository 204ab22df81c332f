// Functions the grids' column definitions call by name (dash-ag-grid looks them up here).
var dagfuncs = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});

// The validator's message for one cell of a ranked set (editor), or null. window.usintRankErrors is set by the
// editor's clientside callback: {"time": {"<rank>:<column>": message}, ...}; ranks count from 1.
dagfuncs.rankCellError = function (key, params) {
  var errors = (window.usintRankErrors || {})[key] || {};
  var message = errors[String(params.node.rowIndex + 1) + ":" + params.column.getColId()];
  return message || null;
};
