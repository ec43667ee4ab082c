// Small progressive enhancements; every screen works without this file.
document.addEventListener('change', (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || box.type !== 'checkbox') return;
  if (box.dataset.checkAll) {
    for (const other of document.querySelectorAll(`input[type=checkbox][name="${box.dataset.checkAll}"]`)) {
      other.checked = box.checked;
    }
    return;
  }
  // A "check all" box stays ticked only while every box it stands for is: it would otherwise override them.
  for (const toggle of document.querySelectorAll(`input[type=checkbox][data-check-all="${box.name}"]`)) {
    toggle.checked = [...document.querySelectorAll(`input[type=checkbox][name="${box.name}"]`)].every((b) => b.checked);
  }
});

// A new account starts in the browser's time zone when the list has it; the server's default stays otherwise.
function preferBrowserTimeZone(root) {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  for (const form of root.querySelectorAll('form[data-browser-time-zone]')) {
    const select = form.elements.namedItem(form.dataset.browserTimeZone);
    delete form.dataset.browserTimeZone;
    if (select instanceof HTMLSelectElement && [...select.options].some((option) => option.value === zone)) {
      select.value = zone;
    }
  }
}
preferBrowserTimeZone(document);
// Pages reached through htmx (boosted links) are swapped in without a new load of this file.
document.addEventListener('htmx:load', (event) => {
  if (event.target instanceof Element) preferBrowserTimeZone(event.target);
});
