// Starts the chat widget (rasa-webchat, served from this server) against this server's
// socket.io endpoint. Loaded as a file, not inline, so the page's Content-Security-Policy
// can forbid inline scripts.
(function () {
  "use strict";

  var chat = document.getElementById("webchat");
  WebChat.default(
    {
      socketUrl: window.location.origin,
      socketPath: "/socket.io/",
      // The same session after a reload; a new tab or a closed browser starts afresh.
      params: { storage: "session" },
      initPayload: "/greet",
      embedded: true,
      title: "Osteoporosis & hair loss",
      subtitle: "Answers from one article",
      inputTextFieldHint: "Type your question…",
      connectingText: "Connecting…",
      showMessageDate: true,
      // The widget shows its typing indicator for this long before each message part; its
      // default (30 ms a character, up to 3 s) makes a three-part answer take 9 s to appear.
      customMessageDelay: function () { return 350; },
    },
    chat // rendered in the page; with null it would float in a corner as a launcher
  );

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
