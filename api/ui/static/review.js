// Keyboard shortcuts and zoom for the review screen: every control is also a plain link,
// button or form, so the pages work without this file.
(function () {
  "use strict";
  var zoom = 1;

  function setZoom(value) {
    zoom = Math.min(4, Math.max(0.25, value));
    document.querySelectorAll(".page-frame").forEach(function (frame) {
      frame.style.width = (zoom * 100) + "%";
    });
    var out = document.getElementById("zoom-level");
    if (out) { out.textContent = Math.round(zoom * 100) + "%"; }
  }

  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" ||
                  el.tagName === "SELECT" || el.isContentEditable);
  }

  function byKey(key) {
    return document.querySelector('[data-key="' + key + '"]');
  }

  document.addEventListener("DOMContentLoaded", function () {
    var zin = document.getElementById("zoom-in");
    if (!zin) { return; }
    zin.addEventListener("click", function () { setZoom(zoom * 1.25); });
    document.getElementById("zoom-out").addEventListener("click", function () { setZoom(zoom / 1.25); });
    document.getElementById("zoom-fit").addEventListener("click", function () { setZoom(1); });
    // A field's evidence boxes light up while its input has focus or the pointer.
    document.querySelectorAll(".field[data-field]").forEach(function (row) {
      var boxes = document.querySelectorAll(
        '.evidence[data-field="' + CSS.escape(row.dataset.field) + '"]');
      function light(on) { boxes.forEach(function (b) { b.classList.toggle("lit", on); }); }
      row.addEventListener("focusin", function () { light(true); });
      row.addEventListener("focusout", function () { light(false); });
      row.addEventListener("mouseenter", function () { light(true); });
      row.addEventListener("mouseleave", function () { light(false); });
    });
    // Keep the claim while the document stays open.
    var review = document.querySelector(".review[data-claim-url]");
    if (review) {
      window.setInterval(function () {
        var body = new URLSearchParams({ csrf_token: review.dataset.csrf });
        fetch(review.dataset.claimUrl, { method: "POST", body: body, credentials: "same-origin" })
          .then(function (answer) {
            if (answer.status === 409) {  // decided elsewhere, or someone else holds it now
              var notice = document.getElementById("gone");
              notice.hidden = false;
              notice.textContent = "This review was decided or taken elsewhere meanwhile: " +
                "reload the page to see it. A decision sent from here would be refused.";
            }
          });
      }, Number(review.dataset.renewSeconds) * 1000);
    }
    document.querySelectorAll("[data-submit-on-enter]").forEach(function (select) {
      select.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); select.form.requestSubmit(); }
      });
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && typing(document.activeElement)) {
      document.activeElement.blur();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(document.activeElement)) {
      return;
    }
    var target;
    switch (event.key) {
      case "+": case "=": setZoom(zoom * 1.25); break;
      case "-": setZoom(zoom / 1.25); break;
      case "0": setZoom(1); break;
      case "?":
        target = document.getElementById("keys");
        if (target) { target.open = !target.open; }
        break;
      case "a": case "r": case "l": case "e": case "n":
        target = byKey(event.key);
        if (!target) { return; }
        if (target.tagName === "BUTTON") { target.form.requestSubmit(target); }
        else if (target.tagName === "A") { window.location.assign(target.href); }
        else { target.focus(); if (target.select) { target.select(); } }
        break;
      default: return;
    }
    event.preventDefault();
  });
}());
