/* Poll fragments without reloading the page: an element with data-poll="URL" is replaced by what
   URL returns, every data-every milliseconds (default 1500), until the new fragment no longer has
   data-poll (a finished job). A few lines instead of a library. */
(function () {
  function poll(el) {
    var every = parseInt(el.getAttribute("data-every") || "1500", 10);
    setTimeout(function () {
      fetch(el.getAttribute("data-poll"), {credentials: "same-origin", headers: {"X-Requested-With": "fetch"}})
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) {
          var box = document.createElement("div");
          box.innerHTML = html.trim();
          var fresh = box.firstElementChild;
          if (!fresh) return;
          el.replaceWith(fresh);
          if (fresh.hasAttribute("data-poll")) poll(fresh);
          else if (fresh.hasAttribute("data-reload")) window.location.reload();
        })
        .catch(function () { poll(el); });
    }, every);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-poll]").forEach(poll);
  });
})();
