// Time-zone search: a box above the zone list keeps only the cities (or zone names) that match what is typed,
// accents and case ignored, and selects the first match. Without JavaScript the list still works on its own.
(function () {
  const fold = (s) =>
    s
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase();
  for (const box of document.querySelectorAll("[data-zone-search]")) {
    const select = document.getElementById(box.getAttribute("data-zone-search"));
    const none = document.getElementById(box.id + "-none");
    if (!select) continue;
    const options = [...select.querySelectorAll("option")].map((o) => ({
      o,
      text: fold(o.textContent + " " + o.value),
    }));
    box.hidden = false;
    box.addEventListener("input", () => {
      const words = fold(box.value).split(/\s+/).filter(Boolean);
      let first = null;
      for (const { o, text } of options) {
        const match = words.every((w) => text.includes(w));
        o.hidden = !match;
        if (match && !first) first = o;
      }
      for (const group of select.querySelectorAll("optgroup")) {
        group.hidden = ![...group.children].some((o) => !o.hidden);
      }
      if (none) none.hidden = first !== null;
      const current = select.selectedOptions[0];
      if (first && (!current || current.hidden)) first.selected = true;
    });
  }
})();
