/*
 * 正文编辑器 for 主动公开 items (issue 14 part 9): a contenteditable area over the
 * form's textarea, so a 信息员 writes or pastes (from Word, WPS or a web page) and
 * keeps paragraphs, headings, lists, tables and bold, without seeing HTML.
 *
 * No library: a toolbar of a few document.execCommand calls and a paste handler that
 * rebuilds the pasted HTML from an allow-list (the tags of publications/sanitize.py),
 * dropping Word's mso classes and styles, <o:p>, <span>/<font> wrappers, list bullets
 * Word writes as text, comments and empty paragraphs. The server cleans the body again
 * with nh3 on save (sanitize.clean_body): it stays the authority; this only keeps the
 * structure a person meant. Without JavaScript the textarea is used as before.
 */
(function () {
  "use strict";

  // Kept as they are (sanitize.TAGS); renamed: Word's and execCommand's spellings.
  var KEEP = {
    P: 1, BR: 1, STRONG: 1, EM: 1, UL: 1, OL: 1, LI: 1, H2: 1, H3: 1, H4: 1, A: 1,
    TABLE: 1, CAPTION: 1, THEAD: 1, TBODY: 1, TFOOT: 1, TR: 1, TH: 1, TD: 1
  };
  var RENAME = { B: "STRONG", I: "EM", H1: "H2", H5: "H4", H6: "H4", DIV: "P" };
  // Dropped with everything inside them.
  var DROP = {
    SCRIPT: 1, STYLE: 1, META: 1, LINK: 1, TITLE: 1, XML: 1, TEMPLATE: 1, NOSCRIPT: 1,
    IFRAME: 1, OBJECT: 1, IMG: 1, SVG: 1, BUTTON: 1, INPUT: 1, SELECT: 1, TEXTAREA: 1
  };
  var BLOCKS = { P: 1, H2: 1, H3: 1, H4: 1, UL: 1, OL: 1, TABLE: 1 };

  function isWordBullet(el) {
    // <span style="mso-list:Ignore">·<span>   </span></span>: the bullet typed as text
    var style = (el.getAttribute && el.getAttribute("style")) || "";
    return /mso-list\s*:\s*ignore/i.test(style);
  }

  function cleanChildren(source, target, doc) {
    for (var node = source.firstChild; node; node = node.nextSibling) {
      if (node.nodeType === 3) {
        target.appendChild(doc.createTextNode(node.nodeValue.replace(/\u00a0/g, " ")));
        continue;
      }
      if (node.nodeType !== 1) continue; // comments, Word's <![if ...]> and the like
      var tag = node.tagName.toUpperCase();
      if (DROP[tag] || tag.indexOf(":") > 0 || isWordBullet(node)) continue; // <o:p>, <v:shape>
      var name = RENAME[tag] || tag;
      if (!KEEP[name]) {
        cleanChildren(node, target, doc); // span, font, section…: keep the text
        continue;
      }
      var copy = doc.createElement(name);
      if (name === "A") {
        var href = node.getAttribute("href") || "";
        if (/^(https?:|mailto:)/i.test(href)) copy.setAttribute("href", href);
      }
      if (name === "TD" || name === "TH") {
        ["colspan", "rowspan"].forEach(function (a) {
          var v = node.getAttribute(a);
          if (v && /^\d{1,4}$/.test(v) && v !== "1") copy.setAttribute(a, v);
        });
      }
      cleanChildren(node, copy, doc);
      target.appendChild(copy);
    }
    return target;
  }

  function dropEmpty(root) {
    root.querySelectorAll("p, h2, h3, h4, li, strong, em").forEach(function (el) {
      if (!el.textContent.trim() && !el.querySelector("br, table")) el.remove();
    });
    root.querySelectorAll("p p").forEach(function (inner) { // div→p inside a p
      inner.replaceWith.apply(inner, Array.prototype.slice.call(inner.childNodes));
    });
  }

  // HTML (pasted, or the stored body) → a clean fragment of `doc`. DOMParser builds an
  // inert document: nothing in it runs or loads.
  function cleanHtml(html, doc) {
    var parsed = new DOMParser().parseFromString(html, "text/html");
    var holder = doc.createElement("div");
    cleanChildren(parsed.body, holder, doc);
    dropEmpty(holder);
    return holder;
  }

  function textToHtml(text, doc) {
    var holder = doc.createElement("div");
    text.split(/\r?\n\s*\r?\n|\r?\n/).forEach(function (line) {
      if (!line.trim()) return;
      var p = doc.createElement("p");
      p.textContent = line.trim();
      holder.appendChild(p);
    });
    return holder;
  }

  function insert(area, holder) {
    var selection = window.getSelection();
    if (!selection.rangeCount || !area.contains(selection.anchorNode)) {
      area.appendChild(fragmentOf(holder));
      return;
    }
    var range = selection.getRangeAt(0);
    range.deleteContents();
    var last = holder.lastChild;
    var fragment = fragmentOf(holder);
    // Blocks pasted inside a paragraph go after it, not into it.
    var block = range.startContainer;
    while (block && block !== area && !(block.nodeType === 1 && BLOCKS[block.tagName])) {
      block = block.parentNode;
    }
    var hasBlocks = Array.prototype.some.call(fragment.childNodes, function (n) {
      return n.nodeType === 1 && BLOCKS[n.tagName];
    });
    if (hasBlocks && block && block !== area && block.tagName === "P") {
      if (!block.textContent.trim()) {
        block.replaceWith(fragment);
      } else {
        block.after(fragment);
      }
    } else {
      range.insertNode(fragment);
    }
    if (last) {
      range = document.createRange();
      range.setStartAfter(last);
      range.collapse(true);
      selection.removeAllRanges();
      selection.addRange(range);
    }
  }

  function fragmentOf(holder) {
    var fragment = document.createDocumentFragment();
    while (holder.firstChild) fragment.appendChild(holder.firstChild);
    return fragment;
  }

  var BUTTONS = [
    ["正文", "formatBlock", "p"],
    ["标题", "formatBlock", "h2"],
    ["小标题", "formatBlock", "h3"],
    ["加粗", "bold", null],
    ["项目列表", "insertUnorderedList", null],
    ["编号列表", "insertOrderedList", null],
    ["插入表格", "table", null],
    ["撤销", "undo", null]
  ];

  function newTable(doc) {
    var holder = doc.createElement("div");
    var table = doc.createElement("table");
    for (var r = 0; r < 3; r++) {
      var tr = doc.createElement("tr");
      for (var c = 0; c < 3; c++) {
        var cell = doc.createElement(r === 0 ? "th" : "td");
        cell.appendChild(doc.createElement("br"));
        tr.appendChild(cell);
      }
      table.appendChild(tr);
    }
    holder.appendChild(table);
    holder.appendChild(doc.createElement("p")).appendChild(doc.createElement("br"));
    return holder;
  }

  function setUp(textarea) {
    var wrap = document.createElement("div");
    wrap.className = "rich-editor";
    var bar = document.createElement("div");
    bar.className = "rich-toolbar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "正文格式");
    var area = document.createElement("div");
    area.className = "rich-area";
    area.contentEditable = "true";
    area.setAttribute("role", "textbox");
    area.setAttribute("aria-multiline", "true");
    area.setAttribute("aria-label", "正文");
    area.id = textarea.id + "-editor";
    area.appendChild(fragmentOf(cleanHtml(textarea.value, document)));
    if (!area.firstChild) area.innerHTML = "<p><br></p>";

    BUTTONS.forEach(function (b) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = b[0];
      button.addEventListener("mousedown", function (e) { e.preventDefault(); });
      button.addEventListener("click", function () {
        area.focus();
        if (b[1] === "table") {
          insert(area, newTable(document));
        } else {
          document.execCommand(b[1], false, b[2]);
        }
        sync();
      });
      bar.appendChild(button);
    });

    function sync() {
      textarea.value = area.innerHTML;
    }

    area.addEventListener("paste", function (e) {
      var data = e.clipboardData;
      if (!data) return;
      e.preventDefault();
      var html = data.getData("text/html");
      insert(area, html ? cleanHtml(html, document) : textToHtml(data.getData("text/plain"), document));
      sync();
    });
    area.addEventListener("drop", function (e) { e.preventDefault(); }); // no stray images
    area.addEventListener("input", sync);
    textarea.form.addEventListener("submit", sync);

    document.execCommand("defaultParagraphSeparator", false, "p");
    textarea.hidden = true;
    wrap.appendChild(bar);
    wrap.appendChild(area);
    textarea.after(wrap);
  }

  document.querySelectorAll("textarea[data-rich-editor]").forEach(setUp);
})();
