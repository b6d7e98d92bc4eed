// Portal template colours without inline script (CSP): the colour picker and the #rrggbb text field
// beside it show the same colour; the text field is the one the form sends.
(function () {
  "use strict";

  const HEX = /^#[0-9a-fA-F]{6}$/;

  document.querySelectorAll("input[data-colour-for]").forEach(function (picker) {
    const text = document.getElementById(picker.dataset.colourFor);
    if (!text) {
      return;
    }
    picker.addEventListener("input", function () {
      text.value = picker.value;
    });
    text.addEventListener("input", function () {
      if (HEX.test(text.value)) {
        picker.value = text.value.toLowerCase();
      }
    });
  });
})();
