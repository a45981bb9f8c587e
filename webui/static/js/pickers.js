// A list of many choices (the cooperating units) becomes a searchable multi-select that shows what is chosen.
// Progressive enhancement: without this script the page keeps its plain <select multiple>, which works.
document.querySelectorAll("select[multiple][data-picker]").forEach((select) => {
  if (select.tomselect || typeof TomSelect === "undefined") {
    return;
  }
  const noResults = select.dataset.noResults || "";
  new TomSelect(select, {
    plugins: ["remove_button"],
    hidePlaceholder: true,
    closeAfterSelect: false,
    maxOptions: null,
    placeholder: select.dataset.placeholder || "",
    render: {
      no_results: () => {
        const empty = document.createElement("div");
        empty.className = "no-results";
        empty.textContent = noResults;
        return empty;
      },
    },
  });
});
