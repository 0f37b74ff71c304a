// A tablet on a shaky Wi-Fi, and two tabs on one FSE (issue 11, item 7). Loaded on every page.
//
// 1. When an htmx request fails — no network, a server error, no answer within htmx's timeout
//    (base.html's htmx-config) — htmx swaps nothing, so what was typed stays on the screen and the
//    button comes back (hx-disabled-elt); this says so, in French, in a live region at the top of
//    the screen, and how to retry. The next answer that arrives clears it.
// 2. The FSE page's forms post the draft and the version this tab has seen (hidden inputs marked
//    data-fse, app/fse/conflict.py). htmx swaps one region at a time, so after each answer the
//    FSE-Brouillon / FSE-Version headers are copied into every such input and into the
//    « Réinitialiser » link: no form keeps an older version than the tab has been shown.
(() => {
  "use strict";

  const MESSAGES = {
    network: "Connexion perdue : votre saisie est conservée sur cette page. Vérifiez le Wi-Fi puis appuyez de nouveau sur le bouton.",
    offline: "La tablette n'est plus connectée au réseau : votre saisie est conservée sur cette page. Vérifiez le Wi-Fi avant d'appuyer sur un bouton.",
    online: "Connexion rétablie : si votre dernière action n'a pas abouti, appuyez de nouveau sur le bouton.",
    timeout: "Le portail n'a pas répondu à temps : votre saisie est conservée sur cette page. Vérifiez le Wi-Fi puis appuyez de nouveau sur le bouton.",
    server: "Le portail n'a pas pu traiter la demande (erreur serveur). Votre saisie est conservée : réessayez dans un instant.",
    refused: "Le portail a refusé la demande (erreur {code}). Votre saisie reste affichée ; rechargez la page pour repartir de ce qui est enregistré.",
  };
  const TRACKED = [["brouillon", "FSE-Brouillon"], ["version", "FSE-Version"]];
  const seen = {};
  let region = null;

  function ensureRegion() {
    if (region === null) {
      region = document.createElement("div");
      region.id = "reseau";
      region.className = "reseau";
      region.setAttribute("role", "status");
      region.setAttribute("aria-live", "polite");
      (document.querySelector("main") || document.body).prepend(region);
    }
    return region;
  }

  function show(kind, code) {
    const box = ensureRegion();
    const text = document.createElement("p");
    text.textContent = MESSAGES[kind].replace("{code}", code);
    const close = document.createElement("button");
    close.type = "button";
    close.className = "reseau-fermer";
    close.textContent = "Fermer";
    close.setAttribute("aria-label", "Fermer ce message");
    close.addEventListener("click", clear);
    box.dataset.kind = kind;
    box.replaceChildren(text, close);
  }

  function clear() {
    if (region !== null) {
      delete region.dataset.kind;
      region.replaceChildren();
    }
  }

  function sync() {
    for (const [name] of TRACKED) {
      if (seen[name] === undefined) continue;
      document.querySelectorAll(`input[data-fse="${name}"]`).forEach((input) => { input.value = seen[name]; });
      document.querySelectorAll("a[data-fse-link]").forEach((link) => {
        const url = new URL(link.href, document.baseURI);
        url.searchParams.set(name, seen[name]);
        link.href = url.pathname + url.search;
      });
    }
  }

  function remember(xhr) {
    for (const [name, header] of TRACKED) {
      const value = xhr && xhr.getResponseHeader(header);
      if (value) seen[name] = value;
    }
  }

  function start() {
    ensureRegion();
    for (const [name] of TRACKED) {
      const input = document.querySelector(`input[data-fse="${name}"]`);
      if (input) seen[name] = input.value;
    }
    if (navigator.onLine === false) show("offline");
  }

  // The headers are read before the swap, the inputs set after it (new content included: an
  // out-of-band entry line, a CCAM suggestion's form drawn from the page as the server has it).
  document.addEventListener("htmx:beforeSwap", (event) => { remember(event.detail.xhr); });
  document.addEventListener("htmx:load", sync);
  document.addEventListener("htmx:afterRequest", (event) => {
    const xhr = event.detail.xhr;
    remember(xhr);
    sync();
    if (event.detail.successful !== true) return;
    clear();
    // A change made from the FSE as it is now: the conflict notice has done its work.
    if (xhr.status === 200 && xhr.getResponseHeader("FSE-Version")) {
      document.querySelectorAll("#fse-conflit").forEach((notice) => notice.remove());
    }
  });
  document.addEventListener("htmx:sendError", () => show(navigator.onLine === false ? "offline" : "network"));
  document.addEventListener("htmx:timeout", () => show("timeout"));
  document.addEventListener("htmx:responseError", (event) => {
    const status = event.detail.xhr.status;
    show(status >= 500 ? "server" : "refused", status);
  });
  window.addEventListener("offline", () => show("offline"));
  window.addEventListener("online", () => {
    if (region !== null && region.dataset.kind) show("online");
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
