// trial-edc: small progressive enhancements; every page works without them.

// A search box above a long pick-list (select[data-searchable]): typing hides the options
// (and option groups) that do not match, e.g. CTCAE terms grouped by system organ class.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("select[data-searchable]").forEach((select) => {
    const input = document.createElement("input");
    input.type = "search";
    input.className = "form-control form-control-sm mb-1";
    input.placeholder = select.dataset.searchPlaceholder || "Search";
    input.setAttribute("aria-label", input.placeholder);
    select.parentNode.insertBefore(input, select);
    input.addEventListener("input", () => {
      const query = input.value.trim().toLowerCase();
      select.querySelectorAll("optgroup").forEach((group) => {
        let visible = 0;
        group.querySelectorAll("option").forEach((option) => {
          const match =
            !query ||
            option.text.toLowerCase().includes(query) ||
            group.label.toLowerCase().includes(query);
          option.hidden = !match;
          if (match) visible += 1;
        });
        group.hidden = visible === 0;
      });
    });
  });
});

// A select[data-autosubmit] sends its form when changed (the form's button does it otherwise).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
});

// Tablets (768 px): a wide table scrolls inside its own box, never the page. Templates wrap
// their tables in .table-responsive; any table a page forgot is wrapped here.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("main table").forEach((table) => {
    if (table.closest(".table-responsive")) return;
    const box = document.createElement("div");
    box.className = "table-responsive";
    table.parentNode.insertBefore(box, table);
    box.appendChild(table);
  });
  focusableWhileScrolling();
});

// A box that scrolls is scrolled from the keyboard too: it takes the focus while its table is
// wider than it is (a word is never split to make a column fit: static/css/app.css).
function focusableWhileScrolling() {
  document.querySelectorAll("main .table-responsive").forEach((box) => {
    if (box.scrollWidth > box.clientWidth) box.tabIndex = 0;
    else box.removeAttribute("tabindex");
  });
}
window.addEventListener("resize", focusableWhileScrolling);
