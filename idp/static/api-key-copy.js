// Copy buttons for a freshly shown API key. The page works without it (the key is selectable text).
// The words after a click come from the button's data-copied / data-copy-failed (the page's language);
// English when the page sets none.
for (const button of document.querySelectorAll('button[data-copy]')) {
  const source = document.getElementById(button.dataset.copy);
  if (!source || !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(source.textContent.trim());
      button.textContent = button.dataset.copied || 'Copied';
    } catch {
      button.textContent = button.dataset.copyFailed || 'Copy failed: select the key and copy it';
    }
  });
}
