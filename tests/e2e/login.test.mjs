// 登录 in a real browser: consent, phone, 获取验证码 and its countdown, the code from the dev
// outbox, 提交验证, the session cookie, 退出登录, and each message a driver may meet.

import assert from 'node:assert/strict';
import { askForCode, e2e, expectAccessible, open, outboxCode } from './harness.mjs';

const PHONE = '13812345678';

const tab = (page, name) => page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name, exact: true });

e2e(
  'a driver logs in with an SMS code, returns to where he was, and logs out',
  async ({ page, server }) => {
    await open(page, server, 'login?next=/apply/renewal');
    await page.getByRole('heading', { name: '登录', level: 1 }).waitFor();
    await expectAccessible(page);

    // Nothing ticked, nothing typed: the summary takes focus and names both problems.
    await page.getByRole('button', { name: '获取验证码' }).click();
    const summary = page.locator('.error-summary');
    await summary.getByText('请先阅读并勾选同意《用户协议》和《隐私政策》。').waitFor();
    await summary.getByText('请输入11位手机号码').waitFor();
    assert.ok(await summary.evaluate((e) => e === document.activeElement), 'the summary has focus');
    await expectAccessible(page);
    // A summary link moves focus to its field.
    await summary.getByRole('link', { name: /请输入11位手机号码/ }).click();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'phone');

    await page.getByLabel('我已阅读并同意').check();
    await page.getByLabel('手机号').fill('138 1234 567');
    await page.getByRole('button', { name: '获取验证码' }).click();
    await page.locator('#phone-error').getByText('请输入11位手机号码').waitFor();

    await page.getByLabel('手机号').fill(PHONE);
    await page.getByRole('button', { name: '获取验证码' }).click();
    await page.getByText('验证码已发送至 138****5678，5分钟内有效。').waitFor();
    const countdown = page.getByRole('button', { name: /秒后重新获取/ });
    await countdown.waitFor();
    assert.ok(await countdown.isDisabled());
    assert.equal(await page.locator('.error-summary').count(), 0, 'the errors are gone');

    await page.getByLabel('验证码').fill(await outboxCode(page, server, PHONE));
    await page.getByRole('button', { name: '提交验证' }).click();
    await page.getByRole('heading', { name: '从业资格证换发业务须知' }).waitFor();
    await tab(page, '我的').waitFor();

    // The session is an HttpOnly cookie: nothing of it, nor the phone number, in the page's reach.
    const stored = await page.evaluate(() => ({
      cookie: document.cookie,
      local: JSON.stringify(localStorage),
      session: JSON.stringify(sessionStorage),
    }));
    assert.doesNotMatch(stored.cookie, /taxicert_session/);
    assert.doesNotMatch(stored.local + stored.session, /13812345678|taxicert_session/);

    await page.reload();
    await tab(page, '我的').click();
    await page.getByRole('heading', { name: '我的', level: 1 }).waitFor();
    await page.getByText('138****5678').waitFor();
    await page.getByText('未实名认证').waitFor();
    await expectAccessible(page);
    await page.getByRole('button', { name: '退出登录' }).click();
    await page.getByRole('button', { name: '提交验证' }).waitFor();
    await page.getByRole('status').getByText('已退出登录。').waitFor();
    await page.getByRole('heading', { name: '登录', level: 1 }).waitFor();
    await tab(page, '登录').waitFor();
  },
);

e2e(
  'a wrong code says how many tries are left and keeps what was typed',
  async ({ page, server }) => {
    await open(page, server, 'login');
    const code = await askForCode(page, server, PHONE);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    await page.getByLabel('验证码').fill(wrong);
    await page.getByRole('button', { name: '提交验证' }).click();
    await page.locator('#code-error').getByText('验证码不正确，还可以再试4次。').waitFor();
    await page.locator('.error-summary').getByText('验证码不正确，还可以再试4次。').waitFor();
    assert.equal(await page.getByLabel('手机号').inputValue(), PHONE);
    assert.ok(await page.getByLabel('我已阅读并同意').isChecked());
    await expectAccessible(page);

    await page.getByLabel('验证码').fill('12345');
    await page.getByRole('button', { name: '提交验证' }).click();
    await page.locator('#code-error').getByText('请输入短信中的6位数字验证码。').waitFor();

    await page.getByLabel('验证码').fill(code);
    await page.getByRole('button', { name: '提交验证' }).click();
    await page.getByRole('heading', { name: '服务事项' }).waitFor();
  },
  { allowConsoleErrors: [/status of 400/] },
);

e2e('the 获取验证码 countdown survives a reload', async ({ page, server }) => {
  await open(page, server, 'login');
  await page.getByLabel('我已阅读并同意').check();
  await page.getByLabel('手机号').fill(PHONE);
  await page.getByRole('button', { name: '获取验证码' }).click();
  await page.getByRole('button', { name: /秒后重新获取/ }).waitFor();
  await page.reload();
  await page.locator('#boot').waitFor({ state: 'detached' });
  const button = page.getByRole('button', { name: /^(5\d|60)秒后重新获取$/ });
  await button.waitFor();
  assert.ok(await button.isDisabled());
  // At 320 px the counting button keeps clear of the screen's edge.
  await page.setViewportSize({ width: 320, height: 640 });
  const right = await button.evaluate((b) => b.getBoundingClientRect().right);
  assert.ok(right <= 320 - 8, `the button reaches ${right} px of 320`);
});

e2e(
  'no network when asking for a code: a clear message, and nothing typed is lost',
  async ({ page, server }) => {
    await open(page, server, 'login');
    await page.getByLabel('我已阅读并同意').check();
    await page.getByLabel('手机号').fill(PHONE);
    await page.route('**/api/v1/auth/sms-codes', (route) => route.abort('internetdisconnected'));
    await page.getByRole('button', { name: '获取验证码' }).click();
    await page.locator('.error-summary').getByText('网络连接失败，请检查手机网络').waitFor();
    assert.equal(await page.getByLabel('手机号').inputValue(), PHONE);
    assert.equal(await page.getByRole('button', { name: '获取验证码' }).isDisabled(), false);
    await expectAccessible(page);
  },
  { allowConsoleErrors: [/net::ERR_INTERNET_DISCONNECTED/] },
);

e2e(
  'asking again too soon starts the countdown the server gives',
  async ({ page, server }) => {
    await open(page, server, 'login');
    // A code asked for from elsewhere (another tab, say) a moment ago.
    const first = await page.request.post(`${server.origin}/api/v1/auth/sms-codes`, {
      headers: { 'x-taxicert-csrf': '1', origin: server.origin },
      data: { phone: PHONE },
    });
    assert.equal(first.status(), 202);
    await page.getByLabel('我已阅读并同意').check();
    await page.getByLabel('手机号').fill(PHONE);
    await page.getByRole('button', { name: '获取验证码' }).click();
    await page.locator('.error-summary').getByText(/验证码已发送，请在\d+秒后重新获取。/).waitFor();
    assert.ok(await page.getByRole('button', { name: /秒后重新获取/ }).isDisabled());
  },
  { allowConsoleErrors: [/status of 429/] },
);

e2e('reading an agreement and coming back keeps what was typed', async ({ page, server }) => {
  await open(page, server, 'login');
  await page.getByLabel('我已阅读并同意').check();
  await page.getByLabel('手机号').fill(PHONE);
  await page.getByRole('link', { name: '《隐私政策》' }).click();
  await page.getByRole('heading', { name: '隐私政策', level: 1 }).waitFor();
  await page.getByRole('heading', { name: '二、敏感个人信息' }).waitFor();
  await expectAccessible(page);
  await page.goBack();
  await page.getByRole('button', { name: '提交验证' }).waitFor();
  assert.equal(await page.getByLabel('手机号').inputValue(), PHONE);
  assert.ok(await page.getByLabel('我已阅读并同意').isChecked());
  await page.getByRole('link', { name: '《用户协议》' }).click();
  await page.getByRole('heading', { name: '三、实名认证' }).waitFor();
  await expectAccessible(page);
});

e2e(
  'five wrong codes void the code, and the driver is told to ask for a new one',
  async ({ page, server }) => {
    await open(page, server, 'login');
    const code = await askForCode(page, server, PHONE);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    await page.getByLabel('验证码').fill(wrong);
    for (const left of [4, 3, 2, 1]) {
      await page.getByRole('button', { name: '提交验证' }).click();
      await page.locator('#code-error').getByText(`验证码不正确，还可以再试${left}次。`).waitFor();
    }
    await page.getByRole('button', { name: '提交验证' }).click();
    await page.locator('#code-error').getByText('验证码输错次数过多，已失效，请重新获取验证码。').waitFor();
    await page.getByLabel('验证码').fill(code);
    await page.getByRole('button', { name: '提交验证' }).click();
    await page.locator('#code-error').getByText('验证码输错次数过多').waitFor();
  },
  { allowConsoleErrors: [/status of 400/] },
);

// The answers below need the server's clock to move (5 minutes, 24 hours): the browser test
// plays the server's exact answers, which the server's own tests produce for real.
for (const [name, status, body, field] of [
  ['an expired code', 400, { code: 'code_expired', message: '验证码已过期（5分钟内有效），请重新获取验证码。' }, '#code-error'],
  [
    'too many codes today',
    429,
    { code: 'daily_limit', message: '该手机号今日获取验证码的次数已达上限，请24小时后再试，或到当地道路运输服务窗口办理。', retry_after_seconds: 3600 },
    '.error-summary',
  ],
]) {
  e2e(
    `${name} is explained`,
    async ({ page, server }) => {
      await open(page, server, 'login');
      await page.getByLabel('我已阅读并同意').check();
      await page.getByLabel('手机号').fill(PHONE);
      await page.getByLabel('验证码').fill('123456');
      const path = body.code === 'daily_limit' ? '**/api/v1/auth/sms-codes' : '**/api/v1/auth/session';
      await page.route(path, (route) =>
        route.request().method() === 'GET'
          ? route.continue()
          : route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) }),
      );
      const button = body.code === 'daily_limit' ? '获取验证码' : '提交验证';
      await page.getByRole('button', { name: button }).click();
      await page.locator(field).getByText(body.message).waitFor();
      assert.equal(await page.getByLabel('手机号').inputValue(), PHONE);
      await expectAccessible(page);
    },
    { allowConsoleErrors: [/status of 4(00|29)/] },
  );
}
