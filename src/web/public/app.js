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
