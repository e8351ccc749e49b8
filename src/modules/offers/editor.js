// The offer forms: the address (slug) follows the name until the creator types their own,
// and is checked as they type (free, taken, not valid). Without JavaScript the server fills
// it from the name and says the same things on saving.
(function () {
  "use strict";
  function slugify(name) {
    return name
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/ß/g, "ss")
      .replace(/[æÆ]/g, "ae")
      .replace(/[œŒ]/g, "oe")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 64)
      .replace(/-+$/, "");
  }
  document.querySelectorAll("[data-slug-source]").forEach(function (nameInput) {
    var slug = document.getElementById(nameInput.getAttribute("data-slug-source"));
    if (!slug) return;
    var status = document.getElementById("f-slug-status");
    var own = slug.value !== "" && slug.value !== slugify(nameInput.value);
    var timer = null;
    function check() {
      var url = slug.getAttribute("data-slug-check");
      if (!url || !status) return;
      var q =
        (url.indexOf("?") < 0 ? "?" : "&") +
        "slug=" +
        encodeURIComponent(slug.value) +
        "&name=" +
        encodeURIComponent(nameInput.value);
      fetch(url + q, { credentials: "same-origin", headers: { accept: "application/json" } })
        .then(function (r) {
          return r.ok ? r.json() : null;
        })
        .then(function (j) {
          if (!j) return;
          status.textContent = j.message;
          status.className = "small slug-status " + (j.ok ? "ok" : "error");
          slug.setAttribute("aria-invalid", j.ok ? "false" : "true");
        })
        .catch(function () {});
    }
    function later() {
      clearTimeout(timer);
      timer = setTimeout(check, 250);
    }
    nameInput.addEventListener("input", function () {
      if (!own) slug.value = slugify(nameInput.value);
      later();
    });
    slug.addEventListener("input", function () {
      own = slug.value !== "";
      later();
    });
  });
})();
