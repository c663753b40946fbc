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
  const remote = ev.target.closest("a[data-remote-dialog]");
  if (remote && typeof HTMLDialogElement === "function") {
    ev.preventDefault();
    openRemoteDialog(remote.href);
    return;
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

// openRemoteDialog loads a dialog page (activation, deactivation) and shows
// its content in an in-page <dialog>; without JavaScript the link opens the
// same content as a page.
async function openRemoteDialog(href) {
  let dialog = document.getElementById("remote-dialog");
  if (!dialog) {
    dialog = document.createElement("dialog");
    dialog.id = "remote-dialog";
    document.body.appendChild(dialog);
  }
  const res = await fetch(href, { credentials: "same-origin" });
  if (!res.ok) {
    window.location.href = href;
    return;
  }
  const doc = new DOMParser().parseFromString(await res.text(), "text/html");
  const content = doc.querySelector("[data-dialog-content]");
  if (!content) {
    window.location.href = href;
    return;
  }
  dialog.replaceChildren(document.adoptNode(content));
  dialog.showModal();
  const filter = dialog.querySelector("[data-filter]");
  if (filter) {
    filter.focus();
  }
}

// A search box with data-filter narrows the options of the named select as
// the user types.
document.addEventListener("input", (ev) => {
  const box = ev.target.closest("[data-filter]");
  if (!box) {
    return;
  }
  const scope = box.closest("dialog, main") || document;
  const select = scope.querySelector(`select[name="${box.dataset.filter}"]`);
  if (!select) {
    return;
  }
  const needle = box.value.trim().toLowerCase();
  for (const opt of select.options) {
    opt.hidden = needle !== "" && !opt.textContent.toLowerCase().includes(needle);
  }
});

// A select with data-autosubmit submits its form when changed.
document.addEventListener("change", (ev) => {
  const sel = ev.target.closest("select[data-autosubmit]");
  if (sel && sel.form) {
    sel.form.requestSubmit();
  }
});
