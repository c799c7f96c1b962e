/* Bar Raiser: small enhancements; every page works without this file. */
(function () {
  "use strict";

  /*
   * Suggestion buttons fill a select: <button data-fill-select="select-id" data-value="42">.
   * The buttons ship hidden, so without JavaScript the suggestions are a plain list.
   */
  function syncPressed(select) {
    document.querySelectorAll('[data-fill-select="' + select.id + '"]').forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.dataset.value === select.value));
    });
  }

  document.querySelectorAll("[data-fill-select]").forEach(function (button) {
    var select = document.getElementById(button.dataset.fillSelect);
    if (!select) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      select.value = button.dataset.value;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      var status = document.querySelector('[data-fill-status="' + select.id + '"]');
      var chosen = select.options[select.selectedIndex];
      if (status && chosen) status.textContent = "Bar raiser set to " + chosen.text + ".";
    });
    if (!select.dataset.fillWatched) {
      select.dataset.fillWatched = "1";
      select.addEventListener("change", function () { syncPressed(select); });
      syncPressed(select);
    }
  });
})();
