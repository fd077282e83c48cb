// 消息 and 本机号码一键登录 on the phone. A clerk's 受理 and 退回补正 reach the driver's 消息 tab
// (its unread badge, the list, the link to the case) and the 换证提醒 switch keeps his choice; a
// fake carrier number-verification gateway on loopback (the adapter protocol of README, with
// CORS for the app's origin) signs the SIM's number in, and its failure leaves the SMS login.

import assert from 'node:assert/strict';
import { e2e, expectAccessible, expectNoSidewaysScroll, logInVerified, open, startFake, submitCase } from './harness.mjs';

const PHONE = '13812345678';
// A tab's name, then the unread count if any ("消息 2条未读消息"); 我的 is not 我的办件.
const tab = (page, name) => page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: new RegExp(`^${name}(\\s*\\d|$)`) });

e2e('a clerk’s 受理 and 退回补正 reach the driver’s 消息, with the badge, the reason and the way to the case', async ({ page, server }) => {
  await logInVerified(page, server, PHONE);
  const kase = await submitCase(page, server, 'reissue');
  const password = server.addStaff('clerk17', '王办理');
  const headers = { 'X-Taxicert-Csrf': '1', Origin: server.origin, 'Content-Type': 'application/json' };
  const login = await fetch(`${server.origin}/api/v1/staff/session`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ username: 'clerk17', password }),
  });
  assert.equal(login.status, 200, await login.text());
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const act = async (body) => {
    const answer = await fetch(`${server.origin}/api/v1/staff/cases/${kase.id}/actions`, {
      method: 'POST',
      headers: { ...headers, Cookie: cookie },
      body: JSON.stringify(body),
    });
    assert.equal(answer.status, 200, await answer.text());
  };
  await act({ action: 'accept' });
  await act({ action: 'return', reason: '两寸照片背景不是白色，请重新拍摄', fields: [], materials: ['photo_2inch'] });

  // The badge counts what he has not seen, on any page he opens.
  await open(page, server, '');
  await tab(page, '消息').getByText('2').waitFor();
  await tab(page, '消息').click();
  await page.getByRole('heading', { name: '消息', level: 1 }).waitFor();
  const items = page.locator('.messages__item');
  await items.first().waitFor();
  assert.deepEqual(await page.locator('.messages__item .cases__name').allInnerTexts(), ['办件已退回补正新', '办件已受理新']);
  await page.getByText(/两寸照片背景不是白色，请重新拍摄/).waitFor();
  await page.getByText(/请在\d{4}-\d{2}-\d{2}前（含当日）/).waitFor();
  // Seen: the badge goes (also after a reload: the server keeps what was read).
  await page.waitForFunction(() => !document.querySelector('nav[aria-label="主导航"] .app-tabbar__count'));
  await expectAccessible(page);
  await expectNoSidewaysScroll(page);
  await page.reload();
  await items.first().waitFor();
  assert.equal(await page.locator('nav[aria-label="主导航"] .app-tabbar__count').count(), 0);

  // 换证提醒 off, and still off after a reload.
  const reminders = page.getByLabel('换证提醒');
  assert.equal(await reminders.isChecked(), true);
  // Waited for from before the tap: the answer may come before the tap returns.
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/settings') && r.request().method() === 'PUT'),
    reminders.uncheck(),
  ]);
  await page.reload();
  await page.getByLabel('换证提醒').waitFor();
  await page.waitForFunction(() => !document.getElementById('renewal-reminders').disabled);
  assert.equal(await page.getByLabel('换证提醒').isChecked(), false);

  // The message leads to its case.
  await items.first().click();
  await page.waitForURL(new RegExp(`/cases/${kase.id}$`));
  await page.getByText('两寸照片背景不是白色，请重新拍摄').first().waitFor();
});

// ---------------------------------------------------------------- 本机号码一键登录

/** The fake carrier: `sim` is the number its next token is for; `noToken` answers as on WLAN. */
const carrier = { sim: PHONE, noToken: false, tokens: new Map(), origin: '' };
const fake = await startFake((request, response) => {
  const url = new URL(request.url, 'http://fake');
  const cors = { 'access-control-allow-origin': carrier.origin, vary: 'Origin' };
  if (url.pathname === '/token' && request.method === 'GET') {
    assert.equal(request.headers.cookie, undefined, 'no cookies go to the carrier');
    if (carrier.noToken) {
      response.writeHead(503, cors);
      response.end();
      return;
    }
    const token = `STsid${Math.random().toString(36).slice(2)}`;
    carrier.tokens.set(token, carrier.sim);
    response.writeHead(200, { ...cors, 'content-type': 'application/json' });
    response.end(JSON.stringify({ token }));
  } else if (url.pathname === '/verify' && request.method === 'POST') {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      assert.equal(request.headers.authorization, 'Bearer e2e-number-key');
      const { token } = JSON.parse(body);
      const phone = carrier.tokens.get(token);
      carrier.tokens.delete(token);
      response.writeHead(phone ? 200 : 400, { 'content-type': 'application/json' });
      response.end(JSON.stringify(phone ? { phone } : { error: 'invalid token' }));
    });
  } else {
    response.writeHead(404, cors);
    response.end();
  }
});
const carrierBase = fake.base;

const NUMBER = {
  TAXICERT_NUMBER_TOKEN_URL: `${carrierBase}/token`,
  TAXICERT_NUMBER_VERIFY_URL: `${carrierBase}/verify`,
  TAXICERT_NUMBER_VERIFY_KEY: 'e2e-number-key',
};

e2e(
  '本机号码一键登录 signs the SIM’s number in; with no token it says to leave WLAN and keeps the SMS login',
  async ({ page, server }) => {
    carrier.origin = server.origin;
    await open(page, server, 'login');
    const button = page.getByRole('button', { name: '本机号码一键登录' });
    await button.waitFor();
    await page.getByText('需使用移动数据（不能使用WLAN）').waitFor();
    await expectAccessible(page);
    await expectNoSidewaysScroll(page);

    // The agreements first, as for the other ways.
    await button.click();
    await page.getByRole('link', { name: /请先阅读并勾选同意/ }).first().waitFor();

    // On WLAN: no token. What was typed stays; the SMS way is named.
    await page.getByLabel('手机号').fill('139');
    await page.getByLabel('我已阅读并同意').check();
    carrier.noToken = true;
    await button.click();
    await page.getByText(/未能获取本机号码。请关闭WLAN、打开移动数据后重新点击“本机号码一键登录”/).first().waitFor();
    assert.equal(await page.getByLabel('手机号').inputValue(), '139');
    await page.getByRole('button', { name: '获取验证码' }).waitFor();

    carrier.noToken = false;
    await button.click();
    await page.getByRole('heading', { name: '服务事项' }).waitFor();
    await tab(page, '我的').click();
    await page.getByText('138****5678').waitFor();
    const stored = await page.evaluate(() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie);
    assert.doesNotMatch(stored, /STsid/, 'the carrier token is kept nowhere');
  },
  // The carrier's refusal on WLAN, which the test itself causes; the browser logs it.
  { server: { env: NUMBER }, allowConsoleErrors: [/status of 503 \(Service Unavailable\)/] },
);

e2e('without a number-verification gateway the login page has no 本机号码一键登录', async ({ page, server }) => {
  await open(page, server, 'login');
  await page.getByRole('button', { name: '获取验证码' }).waitFor();
  assert.equal(await page.getByRole('button', { name: '本机号码一键登录' }).count(), 0);
});
