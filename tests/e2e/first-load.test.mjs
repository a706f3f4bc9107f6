// The page's first load (issue #2): the loader shows the launcher at once and the widget's own code (JS +
// wasm) comes after the page's load event, or as soon as the customer reaches for the launcher. A customer
// who clicks before it has arrived gets the chat as soon as it has, with focus where it should be; a
// keyboard user's focus is not lost when the widget takes the stand-in's place; the stand-in has the
// widget's name, size and position in both languages and at elder text sizes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, serve, launch, openPage } from './harness.mjs';

let server, site, browser;
const WIDGET = /assistant-widget-[0-9a-f]{12,16}(_bg\.wasm|\.js)$/;
const hostPage = (attrs) => () => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A bank's page</title></head>
<body><h1>Everyday banking</h1><a href="#top">Top</a>
  <script type="module" src="/assistant.js" ${attrs}></script>
</body></html>`;

before(async () => {
  server = await startServer();
  site = await serve({ pages: {
    '/zh-large.html': hostPage('data-locale="zh-CN" data-text-size="large"'),
    '/interaction.html': hostPage('data-locale="en" data-load="interaction"'),
  } });
  browser = await launch();
});
after(async () => { await browser?.close(); await server?.stop(); site?.close(); });

/** Holds the widget's JS and wasm back until `release()` (the other files pass). */
function holdWidget() {
  let release;
  const held = new Promise((ok) => { release = ok; });
  const setup = (page) => page.route(WIDGET, async (route) => { await held; await route.continue(); });
  return { setup, release };
}

const launcher = (page, name = 'Chat with our assistant') => page.getByRole('button', { name });
/** The widget's own launcher (the stand-in has no aria-controls: there is no panel to point at yet). */
const mounted = (page) => page.waitForFunction(() => __ba.$('.ba-launcher[aria-controls="ba-panel"]') || __ba.$('#ba-panel:not([hidden])'));

test('the launcher is there before the widget code, which comes after the page load; a click opens the chat when it arrives', async () => {
  const hold = holdWidget();
  const { page, errors } = await openPage(browser, server.url, { setup: hold.setup, ready: false });
  await launcher(page).waitFor();
  assert.equal(await page.locator('#ba-panel').count(), 0, 'the widget itself is not there yet');
  assert.ok(await page.evaluate(() => performance.getEntriesByType('navigation')[0].loadEventEnd > 0),
    'the page has loaded while the widget is held back');

  await launcher(page).click();
  assert.equal(await launcher(page).getAttribute('aria-busy'), 'true', 'the launcher says it is working on it');
  assert.equal(await page.getByRole('status').filter({ hasText: 'Opening the chat…' }).count(), 1, 'and says so to screen readers');
  hold.release();
  await page.locator('#ba-panel').waitFor();
  await page.waitForFunction(() => __ba.active()?.id === 'ba-input');
  // The browser's own clock: when each of the widget's files was asked for, against the page's load event.
  const { load, widget } = await page.evaluate((pattern) => ({
    load: performance.getEntriesByType('navigation')[0].loadEventEnd,
    widget: performance.getEntriesByType('resource').filter((r) => new RegExp(pattern).test(r.name)).map((r) => [r.name, r.startTime]),
  }), WIDGET.source);
  assert.equal(widget.length, 2, `the widget's JS and wasm were loaded: ${JSON.stringify(widget)}`);
  for (const [name, start] of widget) assert.ok(start >= load, `${name} asked for at ${start} ms, after the load event at ${load} ms`);
  assert.deepEqual(errors, []);
});

test('keyboard focus on the launcher stays on it when the widget takes its place', async () => {
  const hold = holdWidget();
  const { page, errors } = await openPage(browser, server.url, { setup: hold.setup, ready: false });
  await launcher(page).focus();
  hold.release();
  await mounted(page);
  await page.waitForFunction(() => __ba.active()?.getAttribute('aria-controls') === 'ba-panel');
  assert.equal(await page.locator('.ba-launcher').count(), 1, 'one launcher');
  await page.keyboard.press('Enter');
  await page.locator('#ba-panel').waitFor();
  await page.waitForFunction(() => __ba.active()?.id === 'ba-input');
  assert.deepEqual(errors, []);
});

test('the stand-in launcher has the widget launcher\'s name, size and place (Chinese, elder text size)', async () => {
  const hold = holdWidget();
  const { page, errors } = await openPage(browser, site.url + 'zh-large.html', { setup: hold.setup, ready: false });
  const look = () => page.locator('.ba-launcher').evaluate((el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return { box: [r.x, r.y, r.width, r.height].map(Math.round), font: s.fontSize, bg: s.backgroundColor,
      lang: el.closest('[lang]').lang, size: el.closest('.ba-root').dataset.textSize };
  });
  await launcher(page, '在线客服').waitFor();
  await page.waitForFunction(() => getComputedStyle(__ba.$('.ba-launcher')).position === 'fixed', null, { timeout: 10_000 });
  const before = await look();
  hold.release();
  await mounted(page);
  await launcher(page, '在线客服').waitFor();
  assert.deepEqual(await look(), before);
  assert.equal(before.size, 'large');
  assert.equal(before.font, '20px', 'elder text size from the first paint');
  assert.deepEqual(errors, []);
});

test('data-load="interaction": nothing of the widget loads until the customer reaches for the launcher', async () => {
  const { page, timeline, errors } = await openPage(browser, site.url + 'interaction.html', { ready: false });
  await launcher(page).waitFor();
  await page.evaluate(() => new Promise((ok) => requestIdleCallback(() => setTimeout(ok, 1500))));
  assert.deepEqual(timeline.filter((r) => WIDGET.test(r.url)), [], 'no widget code without interaction');
  await launcher(page).hover();
  await mounted(page);
  assert.ok(timeline.some((r) => WIDGET.test(r.url)));
  assert.deepEqual(errors, []);
});
