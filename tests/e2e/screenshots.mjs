// Screenshots for the README and ACCESSIBILITY.md: standard and the largest text size (elder mode),
// English and Chinese, phone (375 × 812) and desktop width. `cargo xtask screenshots` builds dist/ and runs this; the PNGs are
// committed under docs/screenshots/ so reviewers see what customers see.
import { mkdir } from 'node:fs/promises';
import { serve, launch, openPage, openChat, ask } from './harness.mjs';

const OUT = new URL('../../docs/screenshots/', import.meta.url).pathname;
// A question, then a product: the screenshot shows the product's answer from its first line.
const QUESTIONS = { en: ['My card has not arrived yet', 'what is a personal loan'], zh: ['我的卡怎么还没到？', '个人消费贷款是什么'] };
const VIEWPORTS = { phone: { width: 375, height: 812 }, desktop: { width: 1280, height: 800 } };

const server = await serve();
const browser = await launch();
await mkdir(OUT, { recursive: true });
try {
  for (const lang of ['en', 'zh']) {
    for (const mode of ['normal', 'elder']) {
      for (const [device, viewport] of Object.entries(VIEWPORTS)) {
        const storage = { 'bank-assistant.text-size': mode === 'elder' ? 'largest' : 'standard' };
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
