// Small behaviours that CSP keeps out of inline attributes.
(function () {
  "use strict";

  function flash(button, text) {
    const original = button.textContent;
    button.textContent = text;
    setTimeout(function () { button.textContent = original; }, 1500);
  }

  document.addEventListener("click", function (event) {
    const copyUrl = event.target.closest("[data-copy-url]");
    if (copyUrl) {
      fetch(copyUrl.dataset.copyUrl, { credentials: "same-origin" })
        .then(function (response) { return response.text(); })
        .then(function (text) { return navigator.clipboard.writeText(text); })
        .then(function () { flash(copyUrl, copyUrl.dataset.copiedText); });
      return;
    }
    const copyTarget = event.target.closest("[data-copy-target]");
    if (copyTarget) {
      const input = document.querySelector(copyTarget.dataset.copyTarget);
      navigator.clipboard.writeText(input.value).then(function () { flash(copyTarget, copyTarget.dataset.copiedText); });
      return;
    }
    const confirmButton = event.target.closest("[data-confirm]");
    if (confirmButton && !window.confirm(confirmButton.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    if (event.target.closest("[data-print]")) {
      window.print();
      return;
    }
    const back = event.target.closest("[data-back]");
    if (back && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches("#per_page")) {
      event.target.form.requestSubmit();
      return;
    }
    // A choice the rest of the form depends on (e.g. the contract whose server lists the plans):
    // reload the page with it, keeping what the URL already says.
    const reload = event.target.closest("[data-reload-param]");
    if (reload) {
      const url = new URL(window.location.href);
      url.searchParams.set(reload.dataset.reloadParam, reload.value);
      window.location.assign(url.toString());
    }
  });
})();
