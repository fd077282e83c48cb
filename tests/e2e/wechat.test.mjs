// 微信登录 in the phone's WeChat browser against a fake WeChat on loopback (the documented
// formats of 公众号网页授权): the first time the driver binds his phone number with an SMS code,
// the next time WeChat alone signs him in; 我的 shows the nickname and our copy of the avatar,
// and 解除微信绑定 asks first. Also: 拒绝 on WeChat's page, and the button's absence when the
// server has no WeChat.

import assert from 'node:assert/strict';
import { askForCode, drawnPng, e2e, expectAccessible, open, startFake } from './harness.mjs';

const PHONE = '13912345678';
const OPENID = 'oE2eOpenid0000000000000000AB';
const NICKNAME = '草原老司机';

/** The fake WeChat: `refuse` makes its authorization page answer as 拒绝 does (no code). */
const wechat = { avatar: null, refuse: false, codes: new Set(), seenOpenidIn: [] };
const fake = await startFake((request, response) => {
  const url = new URL(request.url, 'http://fake');
  const json = (body) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
  if (url.pathname === '/connect/oauth2/authorize') {
    assert.equal(url.searchParams.get('scope'), 'snsapi_userinfo');
    assert.equal(url.searchParams.get('response_type'), 'code');
    const back = new URL(url.searchParams.get('redirect_uri'));
    if (!wechat.refuse) {
      const code = `code${wechat.codes.size}`;
      wechat.codes.add(code);
      back.searchParams.set('code', code);
    }
    back.searchParams.set('state', url.searchParams.get('state'));
    response.writeHead(302, { location: back.toString() });
    response.end();
  } else if (url.pathname === '/sns/oauth2/access_token') {
    const code = url.searchParams.get('code');
    if (!wechat.codes.delete(code)) return json({ errcode: 40029, errmsg: 'invalid code' });
    json({ access_token: `token-${code}`, expires_in: 7200, refresh_token: 'r', openid: OPENID, scope: 'snsapi_userinfo' });
  } else if (url.pathname === '/sns/userinfo') {
    json({
      openid: OPENID,
      nickname: NICKNAME,
      sex: 1,
      province: '内蒙古',
      city: '呼和浩特',
      country: '中国',
      headimgurl: `${wechat.base}/avatar/132`,
      privilege: [],
    });
  } else if (url.pathname === '/avatar/132' && wechat.avatar) {
    response.writeHead(200, { 'content-type': 'image/png' });
    response.end(wechat.avatar);
  } else {
    response.writeHead(404);
    response.end();
  }
});
wechat.base = fake.base;

const WECHAT = {
  TAXICERT_WECHAT_APP_ID: 'wx0123456789abcdef',
  TAXICERT_WECHAT_APP_SECRET: 'fake-app-secret-0123456789',
  TAXICERT_WECHAT_OAUTH_BASE: wechat.base,
  TAXICERT_WECHAT_API_BASE: wechat.base,
};

const tab = (page, name) => page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name, exact: true });

async function wechatLogin(page, server) {
  await open(page, server, 'login');
  await page.getByLabel('我已阅读并同意').check();
  await page.getByRole('button', { name: '微信登录' }).click();
}

e2e(
  'a driver signs in with WeChat: the first time he binds his phone number, then WeChat alone',
  async ({ page, server }) => {
    wechat.avatar = (await drawnPng(page, 132, 132)).buffer;
    await wechatLogin(page, server);
    // Back from WeChat, the binding notice names his WeChat and asks for the phone number.
    await page.getByText(`微信“${NICKNAME}”已授权`).waitFor();
    await expectAccessible(page);
    const code = await askForCode(page, server, PHONE);
    await page.getByLabel('验证码').fill(code);
    await page.getByRole('button', { name: '提交验证' }).click();
    await tab(page, '我的').click();
    await page.getByText(NICKNAME).waitFor();
    await page.getByText('139****5678').waitFor();
    const avatar = page.getByRole('img', { name: '微信头像' });
    await avatar.waitFor();
    assert.ok(await avatar.evaluate((img) => img.complete && img.naturalWidth > 0), 'our copy of the avatar shows');
    assert.ok(!(await avatar.getAttribute('src')).startsWith(wechat.base), 'never hot-linked');
    await expectAccessible(page);
    const html = await page.content();
    const stored = await page.evaluate(() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie);
    assert.doesNotMatch(html + stored + page.url(), new RegExp(OPENID), 'the openid is nowhere in the page');
    assert.doesNotMatch(server.log(), new RegExp(OPENID), 'nor in the server log');

    await page.getByRole('button', { name: '退出登录' }).click();
    await page.getByText('已退出登录').waitFor();
    // The second time: WeChat alone, no SMS code.
    await wechatLogin(page, server);
    await tab(page, '我的').click();
    await page.getByText(NICKNAME).waitFor();

    // 解除微信绑定 asks first; 取消 leaves it bound, 确定 unbinds it.
    page.once('dialog', (dialog) => dialog.dismiss());
    await page.getByRole('button', { name: '解除微信绑定' }).click();
    await page.getByText(NICKNAME).waitFor();
    page.once('dialog', (dialog) => {
      assert.match(dialog.message(), /解除后，再用微信登录时需要重新验证手机号/);
      dialog.accept();
    });
    await page.getByRole('button', { name: '解除微信绑定' }).click();
    await page.getByRole('button', { name: '解除微信绑定' }).waitFor({ state: 'detached' });
    assert.equal(await page.getByText(NICKNAME).count(), 0);
    await page.getByText('139****5678').waitFor();
  },
  { server: { env: WECHAT } },
);

e2e(
  'a driver who taps 拒绝 on WeChat’s page is told how to go on, with the SMS login still there',
  async ({ page, server }) => {
    wechat.refuse = true;
    try {
      await wechatLogin(page, server);
      await page.getByText(/未获得微信授权/).waitFor();
      await expectAccessible(page);
      await open(page, server, 'login');
      await page.getByRole('button', { name: '获取验证码' }).waitFor();
      await page.getByRole('button', { name: '微信登录' }).waitFor();
    } finally {
      wechat.refuse = false;
    }
  },
  { server: { env: WECHAT } },
);

e2e('without WeChat configured, the login page offers the SMS login only', async ({ page, server }) => {
  await open(page, server, 'login');
  await page.getByRole('button', { name: '获取验证码' }).waitFor();
  assert.equal(await page.getByRole('button', { name: '微信登录' }).count(), 0);
});
