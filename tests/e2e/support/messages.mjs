// Messages in the open chat's log, as several tests find and send them.

/** The message bubble whose text is exactly `text`. */
export function bubble(page, text) {
  return page.getByRole('log').locator('li.bubble', { has: page.getByText(text, { exact: true }) });
}

/** Sends `text` from the composer and waits until the relay has it (Sent, or further). */
export async function send(page, text) {
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await bubble(page, text).getByText(/^(Sent|Delivered|Read)$/).waitFor({ timeout: 20_000 });
}
