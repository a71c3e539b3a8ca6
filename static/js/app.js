/* Trustwide's own behaviour. The Content-Security-Policy allows no inline script and no
   inline style, so anything a page needs beyond HTML, htmx and Bootstrap lives here and
   reads data-attributes from the markup. Loaded (deferred) after htmx from base.html. */
(function () {
  "use strict";

  // htmx, under a CSP: its indicator styles would be an inline <style>, hx-on and js: values
  // would need eval, and swapped-in <script> tags would be refused anyway. Set before htmx
  // starts (deferred scripts run in order, before DOMContentLoaded, when htmx initialises).
  if (window.htmx) {
    window.htmx.config.includeIndicatorStyles = false;
    window.htmx.config.allowEval = false;
    window.htmx.config.allowScriptTags = false;
  }

  // Progress bars: the width comes from aria-valuenow (what screen readers hear), set through
  // the CSSOM, which the CSP allows, instead of a style="width: N%" attribute, which it refuses.
  function showProgress(root) {
    var bars = root.querySelectorAll('[role="progressbar"][aria-valuenow] > .progress-bar');
    Array.prototype.forEach.call(bars, function (bar) {
      var value = parseFloat(bar.parentElement.getAttribute("aria-valuenow"));
      if (!isNaN(value)) {
        bar.style.width = Math.max(0, Math.min(100, value)) + "%";
      }
    });
  }

  function enhance(root) {
    showProgress(root);
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
  });
  // Content htmx swaps in (a progress panel polling itself) is enhanced the same way.
  document.addEventListener("htmx:load", function (event) {
    enhance(event.target.parentElement || document);
  });
})();
