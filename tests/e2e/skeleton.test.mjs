// The walking skeleton in a real browser: the home page from the server's catalogue, the
// route table, the errors a driver may meet before anything else works.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS, e2e, expectAccessible, open, startStaticHost } from './harness.mjs';

const BUSINESSES = ['从业资格证补发', '从业资格证换发', '从业资格证变更', '从业资格证注销', '服务质量信誉考核'];

e2e('the home page lists the five businesses from the server, styled by WeUI', async ({ page, server }) => {
  const catalogue = page.waitForResponse((r) => r.url().endsWith('/api/v1/businesses'));
  await open(page, server, '/');
  assert.equal((await catalogue).status(), 200);
  await page.getByRole('heading', { name: '服务事项' }).waitFor();
  await page.locator('.business-list__name').nth(4).waitFor();
  const names = await page.locator('.business-list__name').allTextContents();
  assert.deepEqual(names, BUSINESSES);
  assert.equal(await page.title(), '服务事项 - 出租汽车驾驶员从业资格证网上办理');
  // WeUI's stylesheet is applied: a cell list is a white block with WeUI's 16px cell padding.
  const cell = page.locator('.weui-cell').first();
  assert.equal(await cell.evaluate((e) => getComputedStyle(e).paddingLeft), '16px');
  assert.equal(await page.locator('.weui-cells').first().evaluate((e) => getComputedStyle(e).backgroundColor), 'rgb(255, 255, 255)');
  // The tab bar sits at the bottom of a 375 px screen and does not overflow it.
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 375, `the page is ${width}px wide`);
  await expectAccessible(page);
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'home-375.png') });
});

e2e('a business opens its notice with the materials, and 同意并确认 goes to step 2', async ({ page, server }) => {
  await open(page, server, '/');
  await page.getByRole('link', { name: /从业资格证换发/ }).click();
  await page.getByRole('heading', { name: '从业资格证换发业务须知' }).waitFor();
  await page.locator('.material-list__name').nth(3).waitFor();
  assert.match(page.url(), /\/apply\/renewal$/);
  assert.match(await page.locator('.step-indicator').innerText(), /第 1 步 \/ 共 6 步/);
  assert.deepEqual(await page.locator('.material-list__name').allTextContents(), [
    '近期二寸正面免冠彩色证件照',
    '机动车驾驶证',
    '从业资格证个人信息页',
    '从业资格证违章记录页',
  ]);
  await expectAccessible(page);
  // 同意并确认 waits until the notice has been scrolled to its end.
  const agree = page.getByRole('button', { name: '同意并确认' });
  assert.ok(await agree.isDisabled());
  await page.getByText('请将须知滑动到底部，阅读完毕后点击“同意并确认”。').waitFor();
  await page.locator('.notice').evaluate((box) => (box.scrollTop = box.scrollHeight));
  await agree.and(page.locator(':enabled')).waitFor();
  await agree.click();
  await page.getByRole('heading', { name: '选择从业资格证' }).waitFor();
  assert.match(page.url(), /\/apply\/renewal\/certificate$/);
  assert.match(await page.locator('.step-indicator').innerText(), /第 2 步 \/ 共 6 步/);
  // The steps after the notice need a signed-in driver.
  await page.getByRole('heading', { name: '请先登录' }).waitFor();
  await page.getByRole('link', { name: '去登录' }).waitFor();
  await expectAccessible(page);
  // The browser's back button returns to the notice.
  await page.goBack();
  await page.getByRole('heading', { name: '从业资格证换发业务须知' }).waitFor();
});

e2e('a deep link loads directly, and every route of the table has a page', async ({ page, server }) => {
  const pages = [
    ['/login', '登录'],
    ['/agreement/user', '用户协议'],
    ['/agreement/privacy', '隐私政策'],
    ['/realname', '实名认证'],
    ['/apply/credit_assessment', '服务质量信誉考核业务须知'],
    ['/apply/cancellation/materials', '上传申请材料'],
    ['/cases', '我的办件'],
    ['/cases/TC-2026-000042', '办件详情'],
    ['/cases/TC20261125000001/correction', '补正材料'],
    ['/staff', '业务办理'],
    ['/staff/realname', '实名认证审核'],
    ['/staff/realname/7', '实名认证审核详情'],
    ['/staff/cases', '办件受理'],
    ['/staff/cases/TC20261125000001', '办件详情'],
    ['/staff/account-moves', '账户转移'],
    ['/staff/accounts', '账号管理'],
    ['/staff/report', '工作统计'],
    ['/verify/V8K2M4Q9', '凭证核验'],
  ];
  for (const [path, heading] of pages) {
    await open(page, server, path);
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
    await expectAccessible(page);
  }
  // Signed out, the staff pages show the staff sign-in; the driver's pages ask for his login.
  await open(page, server, '/staff/cases');
  await page.getByRole('heading', { name: '业务办理人员登录' }).waitFor();
}, {
  // Not signed in as staff (401 from GET /staff/session) and an unknown voucher code (404):
  // the answers the pages are built on, which the browser logs.
  allowConsoleErrors: [/status of 401/, /status of 404/],
});

e2e('an unknown route shows the 404 page with a way home', async ({ page, server }) => {
  for (const path of ['/no/such/page', '/apply/renew', '/apply/renewal/pay']) {
    await open(page, server, path);
    await page.getByRole('heading', { name: '页面不存在' }).waitFor();
    await expectAccessible(page);
  }
  await page.getByRole('link', { name: '返回首页' }).click();
  await page.getByRole('heading', { name: '服务事项' }).waitFor();
});

e2e(
  'a server that cannot be reached shows a clear network error, and 重试 recovers',
  async ({ page, server }) => {
    await page.route('**/api/v1/**', (route) => route.abort('internetdisconnected'));
    await open(page, server, '/');
    const alert = page.getByRole('alert');
    await alert.getByText('网络连接失败，请检查手机网络').waitFor();
    // The list as shipped (painted by index.html before the app) stays, with the error below it.
    assert.deepEqual(await page.locator('.business-list__name').allTextContents(), BUSINESSES);
    await expectAccessible(page);
    await page.unroute('**/api/v1/**');
    const catalogue = page.waitForResponse((r) => r.url().endsWith('/api/v1/businesses'));
    await page.getByRole('button', { name: '重试' }).click();
    assert.equal((await catalogue).status(), 200);
    await alert.waitFor({ state: 'detached' });
    assert.deepEqual(await page.locator('.business-list__name').allTextContents(), BUSINESSES);
  },
  { allowConsoleErrors: [/net::ERR_INTERNET_DISCONNECTED|Failed to load resource/] },
);

e2e(
  'a server error shows its Chinese message',
  async ({ page, server }) => {
    await open(page, server, '/apply/renewal');
    await page.getByRole('heading', { name: '从业资格证换发业务须知' }).waitFor();
    await page.route('**/api/v1/businesses', (route) =>
      route.fulfill({ status: 502, contentType: 'text/html', body: '<html>Bad Gateway</html>' }),
    );
    await page.getByRole('link', { name: '首页', exact: true }).click();
    await page.getByRole('alert').getByText('服务暂时不可用（错误代码 502）').waitFor();
    await expectAccessible(page);
  },
  { allowConsoleErrors: [/status of 502/] },
);

e2e(
  'a missing config.json shows a clear error page, not a blank screen',
  async ({ page, server }) => {
    await page.route('**/config.json', (route) => route.fulfill({ status: 404, body: 'Not Found' }));
    await page.goto(server.url);
    await page.getByRole('alert').getByText('config.json 无法读取（HTTP 404）').waitFor();
    await page.getByRole('button', { name: '重新加载' }).waitFor();
    await expectAccessible(page);
  },
  { allowConsoleErrors: [/status of 404/] },
);

e2e('a broken config.json says where it is broken', async ({ page, server }) => {
  await page.route('**/config.json', (route) =>
    route.fulfill({ status: 200, contentType: 'application/json', body: '{\n "api_base": "/api/v1",\n}' }),
  );
  await page.goto(server.url);
  await page.getByRole('alert').getByText(/config.json 格式不正确：第 3 行/).waitFor();
  await expectAccessible(page);
  await page.unroute('**/config.json');
  await page.getByRole('button', { name: '重新加载' }).click();
  await page.getByRole('heading', { name: '服务事项' }).waitFor();
});

e2e(
  'the same dist/ works under a sub-path, deep links included',
  async ({ page, server }) => {
    assert.match(server.url, /\/taxicert\/$/);
    await open(page, server, 'apply/renewal');
    await page.getByRole('heading', { name: '从业资格证换发业务须知' }).waitFor();
    await page.getByRole('link', { name: '首页', exact: true }).click();
    await page.getByRole('heading', { name: '服务事项' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/taxicert/');
    await page.getByRole('link', { name: /从业资格证注销/ }).click();
    await page.getByRole('heading', { name: '从业资格证注销业务须知' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/taxicert/apply/cancellation');
    await page.reload();
    await page.getByRole('heading', { name: '从业资格证注销业务须知' }).waitFor();
    await expectAccessible(page);
  },
  { server: { basePath: '/taxicert/' } },
);

e2e('the page is served with a strict Content-Security-Policy', async ({ page, server }) => {
  const response = await page.goto(server.url);
  const csp = response.headers()['content-security-policy'];
  assert.ok(csp, 'a CSP header');
  assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(response.headers()['x-content-type-options'], 'nosniff');
  await page.locator('#boot').waitFor({ state: 'detached' });
  await page.locator('.business-list__name').first().waitFor();
});

e2e(
  'the same dist/ on a plain static host under a sub-path finds its files by itself',
  async ({ page, server }) => {
    const host = await startStaticHost({ prefix: '/cdn/taxi/', apiOrigin: server.origin });
    try {
      await open(page, host, 'cases/TC-2026-000042');
      await page.getByRole('heading', { name: '办件详情' }).waitFor();
      assert.equal(await page.evaluate(() => document.baseURI), `${host.url}`);
      await page.getByRole('link', { name: '首页', exact: true }).click();
      await page.getByRole('heading', { name: '服务事项' }).waitFor();
      assert.equal(new URL(page.url()).pathname, '/cdn/taxi/');
      await page.locator('.business-list__name').nth(4).waitFor();
      await expectAccessible(page);
    } finally {
      await host.stop();
    }
  },
  // Before the boot script has set <base>, the browser's preload scanner guesses the deep
  // link's folder for the stylesheets: those guesses 404 and are logged, then the right files load.
  { allowConsoleErrors: [/status of 404|Refused to apply style/] },
);
