/* The little Skiff's pages do in script of their own (htmx aside); without it
   every page works the same, only without these touches.

   1. The colour theme: the OS setting (prefers-color-scheme) unless the header's
      toggle chose light or dark, kept in localStorage. This file is loaded in
      <head>, not deferred, so data-theme is on <html> before anything is drawn.
      The toggle is rendered hidden; it is shown here, so without JavaScript there
      is no button that does nothing.
   2. aria-busy on whatever htmx marks as waiting for an answer (the elements of
      hx-indicator, which get the class htmx-request), for screen readers.
   3. Once an answer sends the page elsewhere (HX-Redirect), later answers are
      dropped: one arriving meanwhile (a poll, a second form) would swap into a
      page being left, or start a second navigation that aborts the first.
   4. Enter in a search box (the Source step's filter) filters: it fires the box's
      "search" event, which htmx listens to, instead of submitting the step (Next).
      Without JavaScript Enter is Next, and the box has its own Filter button.
   5. A form whose "next" field has data-follow-location (the language switcher)
      goes back to the page's URL as it is now: htmx swaps push new URLs without
      drawing the header again. On a wizard's page it first saves what the step
      holds (posted as a preview: kept, not checked), so nothing typed is lost; a
      new launch's first post makes the wizard, whose URL is then the way back.
      Without JavaScript every page is whole, and the field already holds its URL
      (what was typed in the step and not sent is not kept, as with any link).
   6. Copy buttons (data-copy: the id of the element whose text they copy) are
      rendered hidden and shown here; without JavaScript the text is there to
      select, and its download link. */
(function () {
  "use strict";
  var KEY = "skiff-theme";
  var root = document.documentElement;
  var dark = window.matchMedia("(prefers-color-scheme: dark)");

  function stored() {
    try {
      return window.localStorage.getItem(KEY);
    } catch (blocked) {
      return null; // storage refused (private mode, a policy): the OS decides
    }
  }

  function theme() {
    return root.dataset.theme || (dark.matches ? "dark" : "light");
  }

  function showToggle() {
    var toggle = document.getElementById("theme-toggle");
    if (toggle) {
      toggle.hidden = false;
      toggle.setAttribute("aria-pressed", String(theme() === "dark"));
    }
  }

  var chosen = stored();
  if (chosen === "light" || chosen === "dark") {
    root.dataset.theme = chosen;
  }

  document.addEventListener("DOMContentLoaded", showToggle);
  // a page put back from htmx's history cache, or the OS switching its theme
  document.addEventListener("htmx:historyRestore", showToggle);
  dark.addEventListener("change", showToggle);

  document.addEventListener("click", function (event) {
    if (!(event.target instanceof Element) || !event.target.closest("#theme-toggle")) {
      return;
    }
    var next = theme() === "dark" ? "light" : "dark";
    root.dataset.theme = next;
    try {
      window.localStorage.setItem(KEY, next);
    } catch (blocked) {
      // kept for this page only
    }
    showToggle();
  });

  document.addEventListener("keydown", function (event) {
    var box = event.target;
    if (event.key === "Enter" && box instanceof HTMLInputElement && box.type === "search" && box.form) {
      event.preventDefault();
      box.dispatchEvent(new Event("search"));
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var next = form instanceof HTMLFormElement && form.querySelector("input[name=next][data-follow-location]");
    if (!next) {
      return;
    }
    next.value = window.location.pathname + window.location.search;
    var wizard = document.getElementById("wizard-form");
    if (!wizard) {
      return;
    }
    event.preventDefault();
    var data = new FormData(wizard);
    data.set("nav", "preview");
    var go = function () {
      form.submit();
    };
    fetch(wizard.action, { method: "POST", body: data, headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) {
        var made = response.ok && response.headers.get("HX-Push-Url");
        if (made) {
          next.value = made;
        }
      })
      .then(go, go);
  });

  function showCopyButtons() {
    document.querySelectorAll("button[data-copy][hidden]").forEach(function (button) {
      button.hidden = !(navigator.clipboard && window.isSecureContext);
    });
  }
  document.addEventListener("DOMContentLoaded", showCopyButtons);
  document.addEventListener("htmx:load", showCopyButtons);
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element && event.target.closest("button[data-copy]");
    var source = button && document.getElementById(button.dataset.copy);
    if (!source) {
      return;
    }
    navigator.clipboard.writeText(source.textContent).then(function () {
      button.textContent = button.dataset.copied;
    });
  });

  var leaving = false;
  document.addEventListener("htmx:beforeOnLoad", function (event) {
    if (leaving) {
      event.preventDefault();
      return;
    }
    var xhr = event.detail.xhr;
    leaving = Boolean(xhr && xhr.getResponseHeader("HX-Redirect"));
  });
  // a page put back from the browser's back-forward cache is not leaving
  window.addEventListener("pageshow", function () {
    leaving = false;
  });

  document.addEventListener("htmx:beforeSend", function () {
    document.querySelectorAll(".htmx-request").forEach(function (element) {
      element.setAttribute("aria-busy", "true");
    });
  });
  document.addEventListener("htmx:afterRequest", function () {
    document.querySelectorAll("[aria-busy]:not(.htmx-request)").forEach(function (element) {
      element.removeAttribute("aria-busy");
    });
  });
})();
