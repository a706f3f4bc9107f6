// The no-WebAssembly fallback's masker (public/embed/fallback.js) in Node: what it must hide before a
// message leaves the browser, and what customers need to see in clear. (The server masks again with the
// full widget's Rust masker; this one errs on the safe side.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mask } from '../../public/embed/fallback.js';

test('numbers, codes, passwords and e-mails do not leave the browser', () => {
  const cases = [
    ['my card 4111 1111 1111 1111', '4111'],
    ['card 4111-1111-1111-1111 please', '1111-1111'],
    ['卡号４１１１１１１１１１１１１１１１', '４１１１'],
    ['call me on 138 0013 8000', '0013'],
    ['رقمي ٤١١١١١١١١١١١١١١١', '٤١١١١١'],
    ['验证码 482913', '482913'],
    ['验证码是482913', '482913'],
    ['OTP: 482913', '482913'],
    ['the code is 4829', '4829'],
    ['my pin is 1234', '1234'],
    ['密码是 abc123', 'abc123'],
    ['password: hunter2', 'hunter2'],
    ['cvv 123', '123'],
    ['li.wei@example.com', 'li.wei'],
    ['li.wei(at)example(dot)com', 'example'],
    ['张三＠例子．公司', '张三'],
  ];
  for (const [text, secret] of cases) {
    const out = mask(text);
    assert.ok(!out.includes(secret), `${text} → ${out}`);
  }
});

test('amounts, dates and everyday words stay readable', () => {
  for (const text of [
    'I was charged $1,250.00 twice',
    '转账 5000 元手续费多少',
    'the rate is 3.5% for 12 months',
    'my password is not working',
    'what is the promo about',
    '2 cards, 3 accounts',
  ]) {
    assert.equal(mask(text), text);
  }
});
