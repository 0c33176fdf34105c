/* The file dialog inside Teams: when the files are added, hand the result to Teams, which closes the dialog and
   tells the bot (task/submit). Outside Teams the page is a plain form and this script does nothing. */
(function () {
  "use strict";
  var main = document.getElementById("main");
  if (!main || typeof microsoftTeams === "undefined") {
    return;
  }
  function close() {
    microsoftTeams.dialog.url.submit({ verb: "compose.files", draft: main.getAttribute("data-draft") });
  }
  microsoftTeams.app.initialize().then(function () {
    var button = document.getElementById("close");
    if (button) {
      button.addEventListener("click", close);
    }
    if (main.getAttribute("data-done") === "true") {
      close();
    }
  }, function () {
    /* Not inside a Teams host: the form works without it. */
  });
})();
