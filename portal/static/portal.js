/* Improvements only: every page works without this file.
   - An error summary takes focus when the page loads, so a screen reader reads it first.
   - The BankID and Freja eID waiting page renews the QR code every second and asks for the result every two
     seconds (the same POST, with the same CSRF token, as the page's own "Fortsätt" button). */
(function () {
  "use strict";

  var summary = document.querySelector("[data-autofocus]");
  if (summary) { summary.focus(); }

  var waiting = document.querySelector("[data-eid-status]");
  var form = document.querySelector("[data-eid-continue]");
  if (!waiting || !form || !window.fetch || !window.FormData) { return; }
  var collectUrl = waiting.getAttribute("data-eid-status");
  var qr = document.querySelector("[data-qr]");
  var message = document.querySelector("[data-eid-message]");
  var second = 0;
  var stopped = false;

  if (qr) {
    var qrUrl = qr.getAttribute("data-qr");
    var timer = window.setInterval(function () {
      if (stopped) { window.clearInterval(timer); return; }
      second += 1;
      qr.setAttribute("src", qrUrl + "?s=" + second);
    }, 1000);
  }

  function collect() {
    window.fetch(collectUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json" },
      body: new window.FormData(form)
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (!body) { stopped = true; return; }
        if (body.status === "pending") {
          if (body.message && message && message.textContent !== body.message) { message.textContent = body.message; }
          window.setTimeout(collect, 2000);
          return;
        }
        stopped = true;
        // The link pages say where to go; the account pages leave it to the page's own "Fortsätt".
        if (body.next) { window.location.assign(body.next); } else { form.submit(); }
      })
      .catch(function () { window.setTimeout(collect, 2000); });
  }
  window.setTimeout(collect, 2000);
}());
