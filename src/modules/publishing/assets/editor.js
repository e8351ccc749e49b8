// Post editor: Markdown toolbar, live preview (rendered by the server's own
// sanitiser), image upload by button, drag-and-drop or paste, slug from title.
// Served as an asset because the CSP forbids inline scripts. The page works
// without it: the toolbar stays hidden and the separate upload form remains.
(function () {
  "use strict";
  var form = document.getElementById("post-editor");
  if (!form) return;
  var body = form.querySelector("#f-body");
  var title = form.querySelector("#f-title");
  var slug = form.querySelector("#f-slug");
  var toolbar = form.querySelector(".md-toolbar");
  var preview = form.querySelector(".md-preview");
  var status = form.querySelector(".upload-status");
  var fileInput = form.querySelector("[data-image-input]");
  var csrf = form.querySelector("input[name=_csrf]");
  if (!body || !toolbar) return;
  toolbar.hidden = false;
  form.classList.add("js");

  function slugify(s) {
    return s
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/œ/gi, "oe")
      .replace(/æ/gi, "ae")
      .replace(/ß/g, "ss")
      .toLowerCase()
      .replace(/['’]/g, "")
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 80)
      .replace(/-+$/g, "");
  }
  // The slug follows the title until someone edits it by hand.
  if (title && slug) {
    var auto = slug.value === "" || slug.value === slugify(title.value);
    title.addEventListener("input", function () {
      if (auto) slug.value = slugify(title.value);
    });
    slug.addEventListener("input", function () {
      auto = slug.value === "";
    });
  }

  function insert(before, after, placeholder) {
    var start = body.selectionStart,
      end = body.selectionEnd;
    var selected = body.value.slice(start, end) || placeholder || "";
    body.setRangeText(before + selected + (after || ""), start, end, "end");
    body.setSelectionRange(start + before.length, start + before.length + selected.length);
    body.focus();
    body.dispatchEvent(new Event("input"));
  }
  function insertBlock(text) {
    var start = body.selectionStart;
    var prefix = start > 0 && body.value[start - 1] !== "\n" ? "\n\n" : "";
    body.setRangeText(prefix + text + "\n\n", start, body.selectionEnd, "end");
    body.focus();
    body.dispatchEvent(new Event("input"));
  }
  function prefixLines(p) {
    var start = body.value.lastIndexOf("\n", body.selectionStart - 1) + 1;
    var end = body.selectionEnd;
    var block = body.value.slice(start, end) || "";
    var out = block
      .split("\n")
      .map(function (l) {
        return p + l;
      })
      .join("\n");
    body.setRangeText(out, start, end, "end");
    body.focus();
    body.dispatchEvent(new Event("input"));
  }

  function say(text) {
    if (status) status.textContent = text || "";
  }

  function upload(file) {
    if (!file || !/^image\//.test(file.type)) return;
    say(status.getAttribute("data-uploading"));
    var data = new FormData();
    data.append("image", file, file.name || "image");
    return fetch(form.getAttribute("data-upload"), {
      method: "POST",
      body: data,
      headers: { "x-csrf-token": csrf ? csrf.value : "", accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (r) {
        return r.json().then(function (j) {
          if (!r.ok || !j.markdown) throw new Error((j.error && j.error.message) || r.statusText);
          insertBlock(j.markdown);
          say("");
        });
      })
      .catch(function (e) {
        say(status.getAttribute("data-upload-failed") + " " + (e && e.message ? e.message : ""));
      });
  }

  toolbar.addEventListener("click", function (e) {
    var btn = e.target.closest("button[data-md]");
    if (!btn) return;
    e.preventDefault();
    switch (btn.getAttribute("data-md")) {
      case "bold":
        insert("**", "**", "texte");
        break;
      case "italic":
        insert("*", "*", "texte");
        break;
      case "heading":
        prefixLines("## ");
        break;
      case "quote":
        prefixLines("> ");
        break;
      case "list":
        prefixLines("- ");
        break;
      case "link":
        insert("[", "](https://)", "lien");
        break;
      case "image":
        if (fileInput) fileInput.click();
        break;
      case "paywall":
        insertBlock(btn.getAttribute("data-marker"));
        break;
      case "preview":
        togglePreview(btn);
        break;
    }
  });
  if (fileInput)
    fileInput.addEventListener("change", function () {
      Array.prototype.forEach.call(fileInput.files || [], upload);
      fileInput.value = "";
    });

  body.addEventListener("dragover", function (e) {
    if (
      e.dataTransfer &&
      Array.prototype.some.call(e.dataTransfer.items || [], function (i) {
        return i.kind === "file";
      })
    ) {
      e.preventDefault();
      body.classList.add("dragging");
    }
  });
  body.addEventListener("dragleave", function () {
    body.classList.remove("dragging");
  });
  body.addEventListener("drop", function (e) {
    body.classList.remove("dragging");
    if (!e.dataTransfer || !e.dataTransfer.files || !e.dataTransfer.files.length) return;
    e.preventDefault();
    Array.prototype.forEach.call(e.dataTransfer.files, upload);
  });
  body.addEventListener("paste", function (e) {
    var files = e.clipboardData && e.clipboardData.files;
    if (files && files.length) {
      e.preventDefault();
      Array.prototype.forEach.call(files, upload);
    }
  });

  // Live preview: the server renders with the site's sanitiser and returns
  // the teaser and paid parts separately; they are shown with a line where
  // the paywall sits.
  var timer = null,
    open = false,
    seq = 0;
  function audience() {
    var r = form.querySelector("input[name=audience]:checked");
    return r ? r.value : "public";
  }
  function refresh() {
    if (!open) return;
    var mine = ++seq;
    var data = new URLSearchParams();
    data.set("body", body.value);
    data.set("audience", audience());
    fetch(form.getAttribute("data-render"), {
      method: "POST",
      body: data,
      headers: { "x-csrf-token": csrf ? csrf.value : "", accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (r) {
        return r.json();
      })
      .then(function (j) {
        if (mine !== seq) return;
        // The HTML comes from the server's sanitiser (renderMarkdown), as on the site.
        var html = j.teaserHtml || "";
        if (j.gated && j.paidHtml) {
          html += '<div class="md-paywall-line" role="separator"><span></span></div>' + j.paidHtml;
        }
        preview.innerHTML = html;
        var line = preview.querySelector(".md-paywall-line span");
        if (line) line.textContent = preview.getAttribute("data-paywall-label");
        if (!html) preview.textContent = preview.getAttribute("data-empty");
      })
      .catch(function () {
        /* the next keystroke tries again */
      });
  }
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 350);
  }
  function togglePreview(btn) {
    open = !open;
    btn.setAttribute("aria-pressed", open ? "true" : "false");
    preview.hidden = !open;
    form.classList.toggle("previewing", open);
    if (open) refresh();
  }
  body.addEventListener("input", schedule);
  form.addEventListener("change", function (e) {
    if (e.target && e.target.name === "audience") schedule();
  });
})();
