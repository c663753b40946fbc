// Small progressive enhancements; every page works without this file.
"use strict";

document.addEventListener("click", (ev) => {
  const toggle = ev.target.closest("[data-toggle]");
  if (toggle) {
    const target = document.getElementById(toggle.getAttribute("aria-controls"));
    if (target) {
      const hidden = target.classList.toggle("collapsed");
      toggle.setAttribute("aria-expanded", String(!hidden));
    }
  }
  const opener = ev.target.closest("[data-dialog]");
  if (opener) {
    const dialog = document.getElementById(opener.dataset.dialog);
    if (dialog && typeof dialog.showModal === "function") {
      ev.preventDefault();
      dialog.showModal();
    }
  }
  const closer = ev.target.closest("[data-close]");
  if (closer) {
    const dialog = closer.closest("dialog");
    if (dialog) {
      ev.preventDefault();
      dialog.close();
    }
  }
});
