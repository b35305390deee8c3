// Starts the chat widget (rasa-webchat, served from this server) against this server's
// socket.io endpoint, with the title, subtitle, colours and opening message of
// web/widget.json (read at every load: edit it and reload, nothing to rebuild). Loaded as
// a file, not inline, so the page's Content-Security-Policy can forbid inline scripts.
(function () {
  "use strict";

  var chat = document.getElementById("webchat");
  var defaults = {
    title: "Osteoporosis & hair loss",
    subtitle: "Answers from one article",
    greeting: "/greet",
    inputHint: "Type your question…",
    colors: {},
  };

  // The widget hides its own header when embedded in a page: the page's header shows
  // the title and subtitle instead.
  function showTitles(settings) {
    document.title = settings.title;
    document.querySelector("header h1").textContent = settings.title;
    document.querySelector("header .intro").textContent = settings.subtitle;
    var colors = settings.colors || {};
    if (colors.main) { document.documentElement.style.setProperty("--main", colors.main); }
  }

  function start(settings) {
    var colors = settings.colors || {};
    showTitles(settings);
    WebChat.default(
      {
        socketUrl: window.location.origin,
        socketPath: "/socket.io/",
        // The same session after a reload; a new tab or a closed browser starts afresh.
        params: { storage: "session" },
        // What the widget says first, for the bot to greet back (an intent of domain.yml).
        initPayload: settings.greeting || defaults.greeting,
        embedded: true,
        title: settings.title || defaults.title,
        subtitle: settings.subtitle || defaults.subtitle,
        inputTextFieldHint: settings.inputHint || defaults.inputHint,
        connectingText: "Connecting…",
        showMessageDate: true,
        mainColor: colors.main,
        userBackgroundColor: colors.userBackground,
        userTextColor: colors.userText,
        assistBackgoundColor: colors.botBackground, // sic: rasa-webchat's spelling
        assistTextColor: colors.botText,
        conversationBackgroundColor: colors.conversationBackground,
        // The widget shows its typing indicator for this long before each message; its
        // default (30 ms a character, up to 3 s) makes a long answer slow to appear.
        customMessageDelay: function () { return 350; },
      },
      chat // rendered in the page; with null it would float in a corner as a launcher
    );
  }

  fetch("/chat/widget.json", { cache: "no-cache" })
    .then(function (reply) { return reply.ok ? reply.json() : {}; })
    .catch(function () { return {}; })
    .then(function (settings) {
      var merged = {};
      Object.keys(defaults).forEach(function (key) { merged[key] = defaults[key]; });
      Object.keys(settings || {}).forEach(function (key) { merged[key] = settings[key]; });
      start(merged);
    });

  // rasa-webchat draws suggestion buttons as clickable <div>s that a keyboard cannot reach.
  // Give them the role, focusability and Enter/Space handling of real buttons.
  function makeAccessible(root) {
    root.querySelectorAll(".rw-reply:not([tabindex])").forEach(function (reply) {
      reply.setAttribute("role", "button");
      reply.setAttribute("tabindex", "0");
    });
  }
  new MutationObserver(function () { makeAccessible(chat); })
    .observe(chat, { childList: true, subtree: true });
  chat.addEventListener("keydown", function (event) {
    var reply = event.target.closest && event.target.closest(".rw-reply");
    if (reply && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      reply.click();
    }
  });
})();
