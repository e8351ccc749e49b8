// Podcasts: resume the web player where a logged-in listener stopped, and the copy button of "Listen in your app".
(function () {
  var audio = document.querySelector("audio[data-episode]");
  if (audio) {
    var start = Number(audio.getAttribute("data-position") || "0");
    if (start > 0)
      audio.addEventListener(
        "loadedmetadata",
        function () {
          audio.currentTime = start;
        },
        { once: true },
      );
    var csrf = audio.getAttribute("data-csrf");
    var last = 0;
    var save = function () {
      if (!csrf) return;
      var pos = Math.floor(audio.currentTime);
      if (Math.abs(pos - last) < 5 && !audio.paused) return;
      last = pos;
      var body = new URLSearchParams({
        _csrf: csrf,
        episode: audio.getAttribute("data-episode"),
        position: String(pos),
      });
      fetch("/podcasts/position", { method: "POST", body: body, credentials: "same-origin" }).catch(function () {});
    };
    audio.addEventListener("timeupdate", save);
    audio.addEventListener("pause", save);
  }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = document.getElementById(button.getAttribute("data-copy"));
      if (!input) return;
      input.select();
      (navigator.clipboard ? navigator.clipboard.writeText(input.value) : Promise.reject()).then(
        function () {
          button.textContent = button.getAttribute("data-done");
        },
        function () {
          document.execCommand("copy");
          button.textContent = button.getAttribute("data-done");
        },
      );
    });
  });
})();
