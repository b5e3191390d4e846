// The sidebar's `Menu` disclosure: its entries are plain buttons (New group, Linked devices,
// Starred messages, Settings, Keyboard shortcuts), shown while it is open.

/** Opens `Menu` (if closed) and clicks its entry `name`. */
export async function fromMenu(page, name) {
  const menu = page.getByRole('button', { name: 'Menu', exact: true });
  if ((await menu.getAttribute('aria-expanded')) !== 'true') await menu.click();
  await page.locator('#app-menu').getByRole('button', { name, exact: true }).click();
}

/** The `Settings` dialog, opened through Menu if it is not open yet. */
export async function openSettings(page) {
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  if (!(await dialog.isVisible())) await fromMenu(page, 'Settings');
  await dialog.waitFor();
  return dialog;
}
