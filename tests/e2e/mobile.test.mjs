// Phones and WebViews (issue #6): the on-screen keyboard never covers the question box, and no text
// field is smaller than 16 px (iOS zooms the page into smaller ones and leaves it zoomed).
//
// Headless Chromium has no on-screen keyboard, so the keyboard is played by a stand-in for
// `window.visualViewport` (installed before the page's scripts): it shrinks the visible height the way
// iOS Safari and WKWebView do when the keyboard opens, and fires `resize`, as they do.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openPage, openChat, ask } from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.stop(); });

function fakeVisualViewport() {
  const vv = new EventTarget();
  let covered = 0;
  let scale = 1;
  Object.defineProperties(vv, {
    height: { get: () => (innerHeight - covered) / scale },
    width: { get: () => innerWidth / scale },
    offsetTop: { get: () => 0 },
    offsetLeft: { get: () => 0 },
    pageTop: { get: () => scrollY },
    pageLeft: { get: () => scrollX },
    scale: { get: () => scale },
  });
  window.__keyboard = (px) => { covered = px; vv.dispatchEvent(new Event('resize')); };
  window.__zoom = (s) => { scale = s; vv.dispatchEvent(new Event('resize')); };
  Object.defineProperty(window, 'visualViewport', { get: () => vv, configurable: true });
}

const box = (page, selector) => page.locator(selector).evaluate((el) => {
  const r = el.getBoundingClientRect();
  return { top: r.top, bottom: r.bottom, height: r.height };
});
const settle = (page) => page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));

test('phone: the keyboard opening moves the question box above it, and closing gives the screen back', async () => {
  const { page, errors } = await openPage(browser, server.url, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, init: fakeVisualViewport });
  await openChat(page);
  assert.equal((await box(page, '.ba-panel')).bottom, 844, 'full screen before');

  await page.getByLabel('Your question').focus();
  await page.evaluate(() => window.__keyboard(340));
  await settle(page);
  const panel = await box(page, '.ba-panel');
  const composer = await box(page, '.ba-composer');
  const input = await box(page, '.ba-input');
  assert.ok(panel.top >= -0.5, `the panel starts on screen (${panel.top})`);
  assert.ok(Math.abs(panel.bottom - 504) < 1, `the panel ends where the keyboard starts (${panel.bottom})`);
  assert.ok(composer.bottom <= 504.5, `the composer is above the keyboard (${composer.bottom})`);
  assert.ok(input.top >= 0 && input.bottom <= 504.5, 'the question box is fully visible');
  // The customer can still type and send with the keyboard open.
  await page.getByLabel('Your question').fill('I lost my card');
  await page.getByLabel('Your question').press('Enter');
  await page.locator('.ba-log .ba-assistant[data-route="answer"]').waitFor({ timeout: 10_000 });

  await page.evaluate(() => window.__keyboard(0));
  await settle(page);
  const back = await box(page, '.ba-panel');
  assert.equal(back.bottom, 844);
  assert.equal(back.height, 844);
  // Only CSSOM custom properties on the widget's root: no style="…" markup a strict CSP would refuse.
  assert.equal(await page.locator('.ba-panel').getAttribute('style'), null);
  assert.deepEqual(errors, []);
});

test('phone: pinch-zoom shrinks the visual viewport too, but the panel keeps its size', async () => {
  const { page } = await openPage(browser, server.url, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, init: fakeVisualViewport });
  await openChat(page);
  await page.evaluate(() => window.__zoom(2));
  await settle(page);
  assert.equal((await box(page, '.ba-panel')).height, 844);
});

test('tablet: the floating panel moves up with the keyboard', async () => {
  const { page } = await openPage(browser, server.url, { viewport: { width: 1024, height: 768 }, init: fakeVisualViewport });
  await openChat(page);
  await page.evaluate(() => window.__keyboard(320));
  await settle(page);
  const panel = await box(page, '.ba-panel');
  assert.ok(panel.bottom <= 448 - 19.5, `above the keyboard with its margin (${panel.bottom})`);
  assert.ok(panel.top >= 19.5, `and fully on screen (${panel.top})`);
});

test('no text field is smaller than 16 px at any text size (iOS would zoom into it)', async () => {
  const { page } = await openPage(browser, server.url, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await openChat(page);
  // A product card with its calculator open, so its number fields are measured too.
  const reply = await ask(page, 'How does a personal loan work?');
  await reply.locator('button.ba-calc-toggle').click();
  await reply.locator('form.ba-calc input').first().waitFor();
  const sizes = {};
  for (const size of ['standard', 'large', 'larger', 'largest']) {
    const toggle = page.locator('.ba-settings-toggle');
    if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
    await page.locator(`.ba-size[data-size="${size}"]`).click();
    // In large-text mode the card shows fewer parts at a time; measure its fields where they are shown.
    const calc = page.locator('.ba-log button.ba-calc-toggle');
    if ((await calc.count()) && (await calc.last().getAttribute('aria-expanded')) !== 'true') await calc.last().click();
    sizes[size] = await page.locator('.ba-root').evaluate((root) => [...root.querySelectorAll(
      'textarea, select, input:not([type="checkbox"]):not([type="radio"]):not([type="button"]):not([type="submit"])',
    )].map((el) => parseFloat(getComputedStyle(el).fontSize)));
  }
  for (const [size, px] of Object.entries(sizes)) {
    assert.ok(px.length >= (size === 'standard' ? 4 : 1), `${size}: the question box (and at standard size the calculator's fields) measured: ${px.length}`);
    assert.ok(px.every((p) => p >= 16), `${size}: ${px.join(', ')} px`);
  }
});
