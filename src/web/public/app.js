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

// A time-zone list's filter field (hidden without this file): typing keeps the options whose label or id holds
// the text, and picks the first of them when the chosen one is filtered out; Enter does not send the form.
function wireZoneFilters(root) {
  for (const input of root.querySelectorAll('input[data-zone-filter]')) {
    const select = document.getElementById(input.dataset.zoneFilter);
    if (!(select instanceof HTMLSelectElement) || input.dataset.zoneWired) continue;
    input.dataset.zoneWired = 'true';
    input.closest('[data-zone-filter-box]')?.removeAttribute('hidden');
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') event.preventDefault();
    });
    input.addEventListener('input', () => {
      const words = input.value.trim().toLowerCase().replace(/_/g, ' ');
      const textOf = (option) => `${option.text} ${option.value}`.replace(/_/g, ' ').replace(/\u2212/g, '-');
      const matches = (option) => textOf(option).toLowerCase().includes(words);
      for (const option of select.options) option.hidden = words !== '' && !matches(option);
      const chosen = select.selectedOptions[0];
      const first = [...select.options].find((option) => !option.hidden);
      if (first && (!chosen || chosen.hidden)) {
        select.value = first.value;
        select.dispatchEvent(new Event('change', { bubbles: true }));
      }
    });
  }
}
wireZoneFilters(document);
document.addEventListener('htmx:load', (event) => {
  if (event.target instanceof Element) wireZoneFilters(event.target);
});
