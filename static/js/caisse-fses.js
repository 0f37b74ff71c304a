// « FSE reçues »: the header's checkbox ticks or unticks every FSE of the page. It is shown only when
// this script runs (the list is swapped by htmx, hence the listeners on the document); without
// JavaScript each FSE is ticked by hand.
function showSelectAll() {
  document.querySelectorAll(".select-all[hidden]").forEach(function (label) { label.hidden = false; });
}
document.addEventListener("DOMContentLoaded", showSelectAll);
document.addEventListener("htmx:afterSettle", showSelectAll);
document.addEventListener("change", function (event) {
  if (event.target.id !== "fses-tout") return;
  document.querySelectorAll('#ordiposte-form input[name="fse"]').forEach(function (box) {
    box.checked = event.target.checked;
  });
});
