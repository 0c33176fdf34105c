/*
 * A stand-in for Office.js (Microsoft's https://appsforoffice.microsoft.com/lib/1/hosted/office.js), for
 * development and the browser tests only: the server never hands it to a page in production.
 *
 * It implements exactly the calls the Outlook panes make, with Office.js's shapes (AsyncResult objects,
 * optional options arguments, Office.onReady's promise), and answers them by asking the page that frames the
 * pane — the scripted Outlook host page (/dev/hosts/outlook.html) — over postMessage, as the real Office.js asks
 * Outlook. The host page holds the draft or the received mail, records what the pane changes (the body, the
 * removed attachments, the closing of the draft) and hands out a development token for its signed-in user.
 *
 * A classic script, like office.js: it defines the global `Office`.
 */
(function () {
  "use strict";

  var host = window.parent !== window ? window.parent : null;
  var pending = new Map();
  var nextId = 1;

  function ask(call, args) {
    return new Promise(function (resolve, reject) {
      if (!host) {
        reject(new Error("Office stand-in: the pane is not framed by a host page"));
        return;
      }
      var id = nextId++;
      pending.set(id, { resolve: resolve, reject: reject });
      host.postMessage({ sigillOffice: "request", id: id, call: call, args: args || [] }, window.location.origin);
    });
  }

  window.addEventListener("message", function (event) {
    // Only the framing host page of the same origin answers; anything else is ignored.
    if (event.origin !== window.location.origin || event.source !== host) return;
    var data = event.data;
    if (!data || data.sigillOffice !== "response" || !pending.has(data.id)) return;
    var waiting = pending.get(data.id);
    pending.delete(data.id);
    if (data.error) waiting.reject(data.error);
    else waiting.resolve(data.value);
  });

  // Office.js's AsyncResult: {status, value, error, asyncContext}.
  function asyncCall(call, args, options, callback) {
    var context = options && options.asyncContext;
    ask(call, args).then(
      function (value) {
        if (callback) callback({ status: "succeeded", value: value, error: null, asyncContext: context });
      },
      function (error) {
        var failure = { name: error.name || "GenericError", message: error.message || "", code: error.code || 9002 };
        if (callback) callback({ status: "failed", value: undefined, error: failure, asyncContext: context });
      }
    );
  }

  // Office.js lets the options argument be left out: (callback) or (options, callback).
  function split(optionsOrCallback, callback) {
    if (typeof optionsOrCallback === "function") return { options: {}, callback: optionsOrCallback };
    return { options: optionsOrCallback || {}, callback: callback };
  }

  function recipients(field) {
    return {
      getAsync: function (options, callback) {
        var a = split(options, callback);
        asyncCall("compose." + field + ".get", [], a.options, a.callback);
      },
    };
  }

  function body(mode) {
    var item = {
      getAsync: function (coercionType, options, callback) {
        var a = split(options, callback);
        asyncCall(mode + ".body.get", [coercionType], a.options, a.callback);
      },
    };
    if (mode === "compose") {
      item.setAsync = function (data, options, callback) {
        var a = split(options, callback);
        asyncCall("compose.body.set", [data, a.options.coercionType || "text"], a.options, a.callback);
      };
    }
    return item;
  }

  function composeItem() {
    return {
      itemType: "message",
      to: recipients("to"),
      cc: recipients("cc"),
      bcc: recipients("bcc"),
      subject: {
        getAsync: function (options, callback) {
          var a = split(options, callback);
          asyncCall("compose.subject.get", [], a.options, a.callback);
        },
      },
      body: body("compose"),
      getAttachmentsAsync: function (options, callback) {
        var a = split(options, callback);
        asyncCall("compose.attachments.get", [], a.options, a.callback);
      },
      getAttachmentContentAsync: function (id, options, callback) {
        var a = split(options, callback);
        asyncCall("compose.attachments.content", [id], a.options, a.callback);
      },
      removeAttachmentAsync: function (id, options, callback) {
        var a = split(options, callback);
        asyncCall("compose.attachments.remove", [id], a.options, a.callback);
      },
      // Office.js's item.close() returns nothing and reports nothing.
      close: function () {
        ask("compose.close", []).catch(function () {});
      },
    };
  }

  function readItem(mail) {
    return {
      itemType: "message",
      subject: mail.subject,
      from: mail.from,
      internetMessageId: mail.internetMessageId,
      body: body("read"),
      getAllInternetHeadersAsync: function (options, callback) {
        var a = split(options, callback);
        asyncCall("read.headers.get", [], a.options, a.callback);
      },
    };
  }

  // Nested app authentication: Office.js gives the pane `window.nestedAppAuthBridge`, over which MSAL.js
  // (createNestablePublicClientApplication) asks the host for tokens with JSON messages. Here the host page answers.
  if (host) {
    var bridgeListeners = [];
    window.nestedAppAuthBridge = {
      addEventListener: function (type, listener) {
        if (type === "message") bridgeListeners.push(listener);
      },
      removeEventListener: function (type, listener) {
        bridgeListeners = bridgeListeners.filter(function (l) {
          return l !== listener;
        });
      },
      postMessage: function (json) {
        var request = JSON.parse(json);
        var answer = function (body) {
          var text = JSON.stringify(
            Object.assign({ messageType: "NestedAppAuthResponse", requestId: request.requestId }, body)
          );
          bridgeListeners.forEach(function (listener) {
            listener(text);
          });
        };
        ask("naa", [request]).then(
          function (value) {
            answer(Object.assign({ success: true }, value));
          },
          function (error) {
            answer({ success: false, error: { status: error.name || "PERSISTENT_ERROR", description: error.message } });
          }
        );
      },
    };
  }

  var readyInfo = { host: null, platform: null };
  var ready = host
    ? ask("context", []).then(
        function (context) {
          Office.context.displayLanguage = context.displayLanguage;
          Office.context.requirements.sets = context.requirementSets || {};
          Office.context.mailbox = {
            userProfile: context.userProfile,
            item: context.mode === "compose" ? composeItem() : readItem(context.mail || {}),
          };
          readyInfo = { host: "Outlook", platform: "OfficeOnline" };
          return readyInfo;
        },
        function () {
          return readyInfo;
        }
      )
    : Promise.resolve(readyInfo);

  function versionAtLeast(have, wanted) {
    var a = String(have).split(".").map(Number);
    var b = String(wanted || "1.1").split(".").map(Number);
    for (var i = 0; i < Math.max(a.length, b.length); i++) {
      if ((a[i] || 0) !== (b[i] || 0)) return (a[i] || 0) > (b[i] || 0);
    }
    return true;
  }

  var Office = {
    HostType: { Outlook: "Outlook" },
    AsyncResultStatus: { Succeeded: "succeeded", Failed: "failed" },
    CoercionType: { Html: "html", Text: "text" },
    MailboxEnums: {
      ItemType: { Message: "message", Appointment: "appointment" },
      AttachmentType: { File: "file", Item: "item", Cloud: "cloud" },
      AttachmentContentFormat: { Base64: "base64", Url: "url", Eml: "eml", ICalendar: "iCalendar" },
    },
    context: {
      displayLanguage: "sv-SE",
      mailbox: undefined,
      requirements: {
        sets: {},
        isSetSupported: function (name, version) {
          var have = this.sets[name];
          return have !== undefined && versionAtLeast(have, version);
        },
      },
    },
    onReady: function (callback) {
      return ready.then(function (info) {
        if (callback) callback(info);
        return info;
      });
    },
    auth: {
      // Office.auth.getAccessToken: the host page answers with a development token for its signed-in user.
      getAccessToken: function (options) {
        return ask("auth.token", [options || {}]);
      },
    },
  };

  window.Office = Office;
})();
