// Form widgets without inline script (CSP): searchable dropdowns, server-side
// autocomplete for long customer lists, fields shown only with a checkbox, and
// "select all" for table row checkboxes.
(function () {
  "use strict";

  const DELAY_MS = 250;

  function filterLocally(select, term) {
    let first = null;
    Array.from(select.options).forEach(function (option) {
      const match = !option.value || option.text.toLowerCase().includes(term);
      option.hidden = !match;
      if (match && option.value && first === null) {
        first = option;
      }
    });
    if (term && first !== null) {
      select.value = first.value;
    }
  }

  function fillFromServer(select, url, term) {
    const query = new URLSearchParams({ q: term });
    fetch(url + "?" + query.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) {
        const empty = Array.from(select.options).filter(function (option) { return !option.value; });
        select.replaceChildren.apply(select, empty);
        data.results.forEach(function (item) {
          select.add(new Option(item.text, String(item.id)));
        });
        if (data.results.length) {
          select.value = String(data.results[0].id);
        }
      });
  }

  function makeSearchable(select) {
    const input = document.createElement("input");
    input.type = "search";
    // Beside the dropdown in a flex row (the bulk bar), above it elsewhere.
    const inline = window.getComputedStyle(select.parentNode).display === "flex";
    input.className = "form-control form-control-sm" + (inline ? "" : " mb-1");
    input.placeholder = select.dataset.searchPlaceholder || "";
    input.setAttribute("aria-label", input.placeholder);
    input.setAttribute("aria-controls", select.id);
    input.dataset.searchFor = select.id;
    select.parentNode.insertBefore(input, select);
    const url = select.dataset.autocompleteUrl;
    let timer = null;
    input.addEventListener("input", function () {
      const term = input.value.trim();
      if (url) {
        clearTimeout(timer);
        timer = setTimeout(function () { fillFromServer(select, url, term); }, DELAY_MS);
      } else {
        filterLocally(select, term.toLowerCase());
      }
    });
    // Enter in the search box picks the first match instead of submitting the form.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
      }
    });
  }

  function toggleDependent(field) {
    const checkbox = document.getElementById(field.dataset.showIf);
    const wrapper = field.closest(".mb-3") || field;
    if (checkbox) {
      wrapper.hidden = !checkbox.checked;
    }
  }

  function init() {
    document.querySelectorAll("select[data-searchable]").forEach(makeSearchable);
    document.querySelectorAll("[data-show-if]").forEach(function (field) {
      toggleDependent(field);
      const checkbox = document.getElementById(field.dataset.showIf);
      if (checkbox) {
        checkbox.addEventListener("change", function () { toggleDependent(field); });
      }
    });
    document.querySelectorAll("input[data-select-all]").forEach(function (master) {
      master.addEventListener("change", function () {
        document.querySelectorAll("input[name='" + master.dataset.selectAll + "']").forEach(function (box) {
          box.checked = master.checked;
        });
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
