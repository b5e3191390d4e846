// The keyboard audit (issue 22: "every action reachable"): on a screen, every control a mouse
// could use must also be reached from the keyboard, by Tab, or by the arrow keys inside a
// `menu` (the ARIA menu pattern: its items are `tabindex="-1"` and arrows move between them).

/** What the page counts as a control. */
const CONTROLS = 'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"]), '
  + 'audio[controls], video[controls], [contenteditable="true"]';

/**
 * Marks the controls Tab should reach on this screen (inside the open modal dialog, if one is
 * open, since a modal dialog keeps focus in itself) and returns how each is named.
 */
function markControls(selector) {
  for (const old of document.querySelectorAll('[data-kb-audit]')) delete old.dataset.kbAudit;
  const modal = [...document.querySelectorAll('dialog[open]')].filter((d) => d.matches(':modal')).pop();
  const scope = modal ?? document;
  const names = [];
  for (const element of scope.querySelectorAll(selector)) {
    if (element.disabled || element.closest('[inert]') || element.type === 'hidden') continue;
    // A menu's items are reached by arrows (checked by menuUnreachable), not by Tab; any other
    // control taken out of the Tab order is reported.
    if (element.getAttribute('tabindex') === '-1' && element.closest('[role="menu"]')) continue;
    if (!element.checkVisibility({ visibilityProperty: true })) continue;
    const box = element.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    // A radio group is one Tab stop: its other radios are reached by arrows.
    if (element.type === 'radio' && !element.checked && element.name) continue;
    element.dataset.kbAudit = String(names.length);
    const label = element.getAttribute('aria-label') || element.labels?.[0]?.textContent
      || element.getAttribute('title') || element.textContent || element.getAttribute('placeholder') || '';
    names.push(`${element.localName}${element.getAttribute('role') ? `[${element.getAttribute('role')}]` : ''} "${label.trim().slice(0, 60)}"`);
  }
  return names;
}

/**
 * Elements that look clickable (a pointer cursor) yet are no control and sit in none: a mouse
 * can use them, the keyboard cannot.
 */
function pointerOnly(selector) {
  const inside = `${selector}, [role="menuitem"], [role="option"], label`;
  const found = [];
  for (const element of document.body.querySelectorAll('*')) {
    if (getComputedStyle(element).cursor !== 'pointer' || element.closest(inside)) continue;
    if (!element.checkVisibility({ visibilityProperty: true })) continue;
    // Only the outermost such element: its children inherit the cursor.
    if (getComputedStyle(element.parentElement).cursor === 'pointer') continue;
    found.push(`${element.localName}.${element.className} "${element.textContent.trim().slice(0, 40)}" (pointer only)`);
  }
  return found;
}

/**
 * The controls on screen that Tab (from the start of the page, or of the open modal dialog)
 * never focuses, each as `where: tag "name"`; empty when the screen passes.
 */
export async function untabbable(page, where) {
  const names = await page.evaluate(markControls, CONTROLS);
  const reached = new Set();
  // Start before the first control: focus the body (a modal dialog takes focus back itself).
  await page.evaluate(() => document.activeElement?.blur?.());
  for (let press = 0; press < names.length * 3 + 20 && reached.size < names.length; press++) {
    await page.keyboard.press('Tab');
    const at = await page.evaluate(() => document.activeElement?.closest?.('[data-kb-audit]')?.dataset.kbAudit);
    if (at !== undefined) reached.add(Number(at));
  }
  const mouseOnly = await page.evaluate(pointerOnly, CONTROLS);
  return [...names.filter((_, i) => !reached.has(i)), ...mouseOnly].map((name) => `${where}: ${name}`);
}

/**
 * The items of the open `menu` named `name` that its arrow keys never focus (the menu must
 * have been opened from the keyboard, which focuses its first item). `key` moves to the next
 * item: ArrowDown, or ArrowRight in a row of emoji.
 */
export async function menuUnreachable(page, name, key = 'ArrowDown') {
  const menu = page.getByRole('menu', { name, exact: true });
  await menu.waitFor();
  const items = await menu.getByRole('menuitem').evaluateAll((all) => all
    .filter((item) => item.checkVisibility())
    .map((item, i) => { item.dataset.kbItem = String(i); return item.getAttribute('aria-label') || item.textContent.trim(); }));
  const reached = new Set();
  for (let press = 0; press <= items.length; press++) {
    const at = await page.evaluate(() => document.activeElement?.dataset?.kbItem);
    if (at !== undefined) reached.add(Number(at));
    await page.keyboard.press(key);
  }
  return items.filter((_, i) => !reached.has(i)).map((item) => `menu ${name}: "${item}"`);
}
