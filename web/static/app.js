// Small progressive enhancements; every page works without this file:
// dialogs open in place, the activation dialog searches every Zoho user of
// the company as the administrator types, and the table's "Búsqueda"
// filters as the administrator types.
"use strict";

// Controls that only serve browsers without JavaScript (the table's
// "Buscar") hide once this file runs.
document.documentElement.classList.add("js");

// formQuery is a GET form's query string without its empty fields.
function formQuery(form) {
  const q = new URLSearchParams();
  for (const [k, v] of new FormData(form)) {
    if (v !== "") {
      q.append(k, v);
    }
  }
  return q.toString();
}

// debounce calls fn once typing has paused for ms milliseconds.
function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

// fetchPage asks for a page of the portal. It does not follow redirects: a
// redirect means the row changed or the session ended, and the browser goes
// to the page itself, which says so. It returns the parsed document, or null
// after sending the browser away.
async function fetchPage(href, init) {
  const res = await fetch(href, Object.assign({ credentials: "same-origin", redirect: "manual" }, init));
  if (res.type === "opaqueredirect" || res.status === 0) {
    return { redirected: true };
  }
  return { status: res.status, doc: new DOMParser().parseFromString(await res.text(), "text/html") };
}

document.addEventListener("click", (ev) => {
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

// A dialog the server sent open (a refused address inside it) becomes
// modal, as if the administrator had just opened it.
document.addEventListener("DOMContentLoaded", () => {
  for (const d of document.querySelectorAll("dialog[open][data-modal]")) {
    if (typeof d.showModal === "function") {
      d.close();
      d.showModal();
      const invalid = d.querySelector("[aria-invalid=true]");
      if (invalid) {
        invalid.focus();
      }
    }
  }
});

// remoteDialog is the in-page <dialog> that shows a dialog page's content.
function remoteDialog() {
  let dialog = document.getElementById("remote-dialog");
  if (!dialog) {
    dialog = document.createElement("dialog");
    dialog.id = "remote-dialog";
    document.body.appendChild(dialog);
  }
  return dialog;
}

// openRemoteDialog loads a dialog page (activation, deactivation) and shows
// its content in an in-page <dialog>; without JavaScript the link opens the
// same content as a page.
async function openRemoteDialog(href) {
  const page = await fetchPage(href);
  const content = page.doc && page.doc.querySelector("[data-dialog-content]");
  if (page.redirected || !content) {
    window.location.href = href;
    return;
  }
  const dialog = remoteDialog();
  dialog.replaceChildren(document.adoptNode(content));
  if (!dialog.open) {
    dialog.showModal();
  }
  const filter = dialog.querySelector("[data-user-search] input[type=search]");
  if (filter) {
    filter.focus();
  }
}

// A form in the remote dialog is sent from the dialog: a refusal (422) comes
// back inside it; success, or a row that changed meanwhile, ends in a
// redirect to the table, which shows the outcome.
document.addEventListener("submit", async (ev) => {
  const form = ev.target;
  const dialog = form.closest("#remote-dialog");
  if (!dialog || form.method.toLowerCase() !== "post") {
    return;
  }
  ev.preventDefault();
  const back = form.querySelector("input[name=return]");
  let page;
  try {
    page = await fetchPage(form.action, { method: "POST", body: new URLSearchParams(new FormData(form)) });
  } catch {
    // The request did not get an answer (the connection failed): the form
    // is sent as a page instead, so that the browser shows what happens
    // rather than a dialog that silently stays open.
    form.submit();
    return;
  }
  if (page.redirected) {
    window.location.href = back ? back.value : "/zoho";
    return;
  }
  const content = page.doc.querySelector("[data-dialog-content]");
  if (!content) {
    window.location.href = back ? back.value : "/zoho";
    return;
  }
  dialog.replaceChildren(document.adoptNode(content));
});

// The activation dialog's search: as the administrator types, the server
// is asked for the Zoho users that match (every user of the company, not
// only those listed), and the list is replaced. "Buscar" does it at once.
const userSearches = new WeakMap();

function searchUsers(form) {
  const input = form.querySelector("input[type=search]");
  const list = form.ownerDocument.getElementById(form.dataset.userSearch);
  if (!input || !list) {
    return;
  }
  const previous = userSearches.get(form);
  if (previous) {
    previous.abort();
  }
  const ctl = new AbortController();
  userSearches.set(form, ctl);
  const url = new URL(form.action, window.location.href);
  url.search = formQuery(form);
  fetchPage(url.href, { signal: ctl.signal }).then((page) => {
    if (page.redirected) {
      window.location.href = url.href;
      return;
    }
    const fresh = page.doc.getElementById(form.dataset.userSearch);
    if (!fresh || input.value !== (url.searchParams.get("q") || "")) {
      return;
    }
    // The choice made while the search was under way (read now, not when
    // it was asked) stays chosen if the new list has it.
    const chosen = list.value;
    list.replaceChildren(...[...fresh.options].map((o) => document.adoptNode(o)));
    if (chosen && [...list.options].some((o) => o.value === chosen && !o.disabled)) {
      list.value = chosen;
    }
    const count = list.form && list.form.querySelector("[data-testid=user-count]");
    const freshCount = page.doc.querySelector("[data-testid=user-count]");
    if (count && freshCount) {
      count.textContent = freshCount.textContent;
    }
    const kept = list.form && list.form.querySelector("input[name=q]");
    if (kept) {
      kept.value = input.value;
    }
  }).catch((err) => {
    if (err.name !== "AbortError") {
      form.submit();
    }
  });
}

const searchUsersSoon = debounce(searchUsers, 250);

document.addEventListener("input", (ev) => {
  const userForm = ev.target.closest("form[data-user-search]");
  if (userForm && ev.target.type === "search") {
    searchUsersSoon(userForm);
    return;
  }
  const tableForm = ev.target.closest("form[data-live-search]");
  if (tableForm && ev.target.type === "search") {
    searchTableSoon(tableForm);
  }
});

document.addEventListener("submit", (ev) => {
  const userForm = ev.target.closest("form[data-user-search]");
  if (userForm && userForm.closest("dialog")) {
    ev.preventDefault();
    searchUsers(userForm);
  }
});

// The table's "Búsqueda": as the administrator types, the table, its
// counts and pages are asked for again and replaced; the address follows
// (the table's own URL, data-url), so a reload or a shared link shows the
// same rows.
let tableSearch;

function searchTable(form) {
  if (tableSearch) {
    tableSearch.abort();
  }
  tableSearch = new AbortController();
  const region = document.getElementById(form.dataset.liveSearch);
  const url = new URL(form.action, window.location.href);
  url.search = formQuery(form);
  const q = form.querySelector("input[type=search]").value;
  url.searchParams.delete("page");
  fetchPage(url.href, { signal: tableSearch.signal }).then((page) => {
    if (page.redirected) {
      window.location.href = url.href;
      return;
    }
    const fresh = page.doc.getElementById(form.dataset.liveSearch);
    if (!fresh || !region || form.querySelector("input[type=search]").value !== q) {
      return;
    }
    region.replaceWith(document.adoptNode(fresh));
    history.replaceState(null, "", fresh.dataset.url || url.pathname + url.search);
  }).catch((err) => {
    if (err.name !== "AbortError") {
      form.submit();
    }
  });
}

const searchTableSoon = debounce(searchTable, 300);

// A select with data-autosubmit submits its form when changed.
document.addEventListener("change", (ev) => {
  const sel = ev.target.closest("select[data-autosubmit]");
  if (sel && sel.form) {
    sel.form.requestSubmit();
  }
});
