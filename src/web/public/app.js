// Small progressive enhancements; every screen works without this file.
document.addEventListener('change', (event) => {
  const toggle = event.target;
  if (!(toggle instanceof HTMLInputElement) || !toggle.dataset.checkAll) return;
  for (const box of document.querySelectorAll(`input[type=checkbox][name="${toggle.dataset.checkAll}"]`)) {
    box.checked = toggle.checked;
  }
});
