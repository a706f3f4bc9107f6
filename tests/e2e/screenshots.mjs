// Screenshots for the README and ACCESSIBILITY.md: normal and elder (large-text) mode, English and
// Chinese, phone and desktop width. `cargo xtask screenshots` builds dist/ and runs this; the PNGs are
// committed under docs/screenshots/ so reviewers see what customers see.
import { mkdir } from 'node:fs/promises';
import { serve, launch, openPage, openChat, ask } from './harness.mjs';

const OUT = new URL('../../docs/screenshots/', import.meta.url).pathname;
const QUESTIONS = { en: ['My card has not arrived yet'], zh: ['我的卡怎么还没到？'] };
const VIEWPORTS = { phone: { width: 390, height: 760 }, desktop: { width: 1280, height: 800 } };

const server = await serve();
const browser = await launch();
await mkdir(OUT, { recursive: true });
try {
  for (const lang of ['en', 'zh']) {
    for (const mode of ['normal', 'elder']) {
      for (const [device, viewport] of Object.entries(VIEWPORTS)) {
        const storage = { 'bank-assistant.text-size': mode === 'elder' ? 'larger' : 'standard' };
        const { page } = await openPage(browser, server.url, { viewport, storage });
        if (lang === 'zh') {
          await page.route(server.url, async (route) => {
            const res = await route.fetch();
            await route.fulfill({ response: res, body: (await res.text()).replace('data-locale="en"', 'data-locale="zh-CN"') });
          });
          await page.reload();
        }
        await openChat(page);
        for (const q of QUESTIONS[lang]) await ask(page, q);
        const file = `${OUT}${lang}-${mode}-${device}.png`;
        await page.screenshot({ path: file });
        console.log(`wrote ${file}`);
        await page.close();
      }
    }
  }
} finally {
  await browser.close();
  server.close();
}
