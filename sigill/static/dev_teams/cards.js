// Rendering Adaptive Cards as Teams does, with Microsoft's renderer (/vendor/adaptivecards.min.js).
//
// `SigillCards.render(json)` parses a card with a SerializationContext and keeps every parse and validation
// event, so a card the renderer would quietly repair shows up as a problem instead. The host configuration follows
// Teams' light theme, with text colours dark enough for WCAG 2.1 AA contrast. The markdown processor handles the
// subset Teams renders (bold, italic, lists, https links) and CommonMark backslash escapes, and emits only
// escaped text: the cards escape user text with backslashes (adaptive_cards/elements.py), so a subject such as
// `**x**` must show its asterisks, never bold.
"use strict";

(function () {
  const AC = window.AdaptiveCards;

  // The renderer checks `lang` with a regular expression that has the global flag, so `exec` resumes where the
  // previous card's match ended and every second card's "sv" is refused (and its language dropped). The same
  // pattern without the flag checks what the schema means.
  AC.CardElement.langProperty.regEx = /^[a-z]{2,3}$/i;

  const foreground = {
    default: { default: "#242424", subtle: "#616161" },
    dark: { default: "#242424", subtle: "#616161" },
    light: { default: "#ffffff", subtle: "#f0f0f0" },
    accent: { default: "#4f52b2", subtle: "#4f52b2" },
    good: { default: "#0e700e", subtle: "#0e700e" },
    warning: { default: "#835c00", subtle: "#835c00" },
    attention: { default: "#b10e1c", subtle: "#b10e1c" },
  };

  function containerStyle(backgroundColor) {
    return { backgroundColor: backgroundColor, foregroundColors: foreground };
  }

  const HOST_CONFIG = {
    fontFamily: "'Segoe UI', system-ui, -apple-system, sans-serif",
    supportsInteractivity: true,
    fontSizes: { small: 12, default: 14, medium: 14, large: 18, extraLarge: 24 },
    fontWeights: { lighter: 200, default: 400, bolder: 600 },
    spacing: { small: 4, default: 8, medium: 16, large: 20, extraLarge: 24, padding: 16 },
    separator: { lineThickness: 1, lineColor: "#e0e0e0" },
    containerStyles: {
      default: containerStyle("#ffffff"),
      emphasis: containerStyle("#f5f5f5"),
      accent: containerStyle("#e8ebfa"),
      good: containerStyle("#e7f2da"),
      attention: containerStyle("#fdf3f4"),
      warning: containerStyle("#fbf6d9"),
    },
    actions: {
      maxActions: 6,
      spacing: "default",
      buttonSpacing: 8,
      showCard: { actionMode: "inline", inlineTopMargin: 16 },
      actionsOrientation: "horizontal",
      actionAlignment: "left",
    },
    adaptiveCard: { allowCustomStyle: true },
    // A card's heading sits under the page's own level-2 headings (the chat, the dialog).
    textBlock: { headingLevel: 3 },
    textStyles: {
      heading: { size: "large", weight: "bolder", color: "default", isSubtle: false, fontType: "default" },
      columnHeader: { size: "default", weight: "bolder", color: "default", isSubtle: false },
    },
    inputs: {
      label: {
        requiredInputs: { weight: "bolder", suffix: " *", suffixColor: "attention" },
        optionalInputs: { weight: "bolder" },
      },
      errorMessage: { size: "small", color: "attention" },
    },
    factSet: {
      title: { color: "default", size: "default", isSubtle: false, weight: "bolder", wrap: true, maxWidth: 160 },
      value: { color: "default", size: "default", isSubtle: false, weight: "default", wrap: true },
      spacing: 8,
    },
  };

  const ESCAPABLE = "\\`*_[]()~#<>|!{}-+=.";

  function escapeHtml(text) {
    return text
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&#39;");
  }

  // The position of the next unescaped `marker` in `text` at or after `from`, or -1.
  function findUnescaped(text, marker, from) {
    for (let i = from; i < text.length; i++) {
      if (text[i] === "\\" && i + 1 < text.length && ESCAPABLE.includes(text[i + 1])) {
        i++;
      } else if (text.startsWith(marker, i)) {
        return i;
      }
    }
    return -1;
  }

  function inline(text) {
    let html = "";
    let i = 0;
    while (i < text.length) {
      const c = text[i];
      if (c === "\\" && i + 1 < text.length && ESCAPABLE.includes(text[i + 1])) {
        html += escapeHtml(text[i + 1]);
        i += 2;
        continue;
      }
      if (text.startsWith("**", i)) {
        const end = findUnescaped(text, "**", i + 2);
        if (end > i + 2) {
          html += "<strong>" + inline(text.slice(i + 2, end)) + "</strong>";
          i = end + 2;
          continue;
        }
      }
      if (c === "_") {
        const end = findUnescaped(text, "_", i + 1);
        if (end > i + 1) {
          html += "<em>" + inline(text.slice(i + 1, end)) + "</em>";
          i = end + 1;
          continue;
        }
      }
      if (c === "[") {
        const close = findUnescaped(text, "](", i + 1);
        const end = close < 0 ? -1 : findUnescaped(text, ")", close + 2);
        const url = end < 0 ? "" : text.slice(close + 2, end);
        if (end > 0 && /^https:\/\/[^\s"'<>]+$/.test(url)) {
          html +=
            '<a href="' + escapeHtml(url) + '" target="_blank" rel="noopener noreferrer">' +
            inline(text.slice(i + 1, close)) + "</a>";
          i = end + 1;
          continue;
        }
      }
      html += escapeHtml(c);
      i += 1;
    }
    return html;
  }

  // Teams' markdown: paragraphs, "- " bullets and "1. " numbered lists, and the inline marks above.
  function markdownToHtml(text) {
    const blocks = [];
    let list = null;
    for (const line of text.split(/\r?\n/)) {
      const bullet = /^\s*[-*+] (.*)$/.exec(line);
      const numbered = /^\s*\d+[.)] (.*)$/.exec(line);
      const kind = bullet ? "ul" : numbered ? "ol" : null;
      if (kind) {
        if (!list || list.kind !== kind) {
          list = { kind: kind, items: [] };
          blocks.push(list);
        }
        list.items.push(inline((bullet || numbered)[1]));
      } else {
        list = null;
        blocks.push({ kind: "line", html: inline(line) });
      }
    }
    return blocks
      .map(function (block) {
        if (block.kind === "line") {
          return block.html === "" ? "<br>" : "<p>" + block.html + "</p>";
        }
        const items = block.items.map((item) => "<li>" + item + "</li>").join("");
        return "<" + block.kind + ">" + items + "</" + block.kind + ">";
      })
      .join("");
  }

  AC.AdaptiveCard.onProcessMarkdown = function (text, result) {
    result.outputHtml = markdownToHtml(text);
    result.didProcess = true;
  };

  function describe(event) {
    const name = AC.ValidationEvent[event.event] || String(event.event);
    return name + ": " + event.message;
  }

  // Parse `json` into a card ready to render, with every event the parse and the validation reported.
  function parse(json) {
    const card = new AC.AdaptiveCard();
    card.hostConfig = new AC.HostConfig(HOST_CONFIG);
    const context = new AC.SerializationContext();
    card.parse(json, context);
    const problems = [];
    for (let i = 0; i < context.eventCount; i++) {
      problems.push(describe(context.getEventAt(i)));
    }
    const validation = card.validateProperties();
    for (const event of validation.validationEvents) {
      problems.push(describe(event));
    }
    return { card: card, problems: problems };
  }

  // Render `json`: the element (undefined when the renderer produced none), the card, and its problems.
  function render(json, onAction) {
    const parsed = parse(json);
    if (onAction) {
      parsed.card.onExecuteAction = onAction;
    }
    const element = parsed.card.render();
    if (!element) {
      parsed.problems.push("Render: the renderer produced no element");
    }
    return { element: element, card: parsed.card, problems: parsed.problems };
  }

  window.SigillCards = { HOST_CONFIG: HOST_CONFIG, markdownToHtml: markdownToHtml, parse: parse, render: render };
})();
