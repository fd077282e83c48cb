// The first screen on a weak 4G link (issue 14): the front's index.html paints the header,
// the service list and the tab bar before the wasm runs, the app then draws the same in their
// place without moving anything, and each of the three entry pages (front, driver, staff)
// loads its own code only, brotli-compressed.

import assert from 'node:assert/strict';
import { e2e, expectAccessible, launchBrowser, logIn, open } from './harness.mjs';

const APP_NAME = '出租汽车驾驶员从业资格证网上办理';
const BUSINESSES = ['从业资格证补发', '从业资格证换发', '从业资格证变更', '从业资格证注销', '服务质量信誉考核'];

/** A weak 4G link: about 1.5 Mbit/s down, 750 kbit/s up, 300 ms round trip; no cache. */
async function weakLink(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 300,
    downloadThroughput: (1.5 * 1024 * 1024) / 8,
    uploadThroughput: (750 * 1024) / 8,
  });
  return cdp;
}

/** Every layout shift of every page loaded from now on, in `window.layoutShifts`. */
async function recordLayoutShifts(page) {
  await page.addInitScript(() => {
    window.layoutShifts = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        window.layoutShifts.push({
          value: entry.value,
          hadRecentInput: entry.hadRecentInput,
          at: Math.round(entry.startTime),
          sources: (entry.sources ?? []).map((s) => {
            const node = s.node;
            if (!node) return '?';
            return node.nodeType === 1 ? `${node.tagName.toLowerCase()}.${node.className}` : `#text ${node.textContent.slice(0, 20)}`;
          }),
        });
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
}

/** The cumulative layout shift of the page as it stands, without shifts that followed input. */
async function cumulativeShift(page) {
  const shifts = await page.evaluate(() => window.layoutShifts);
  const counted = shifts.filter((s) => !s.hadRecentInput);
  return { total: counted.reduce((sum, s) => sum + s.value, 0), shifts: counted };
}

/** The business list as the page shows it: its text, and where each entry leads. */
async function businessList(page) {
  return {
    text: await page.locator('.business-list').innerText(),
    names: await page.locator('.business-list__name').allTextContents(),
    links: await page.locator('.business-list a').evaluateAll((links) => links.map((a) => a.href)),
  };
}

/** The URL paths the page asks for from now on, with the answers to its wasm. */
function recordRequests(page, server) {
  const paths = [];
  const wasm = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.origin === server.origin) paths.push(url.pathname);
  });
  page.on('response', (response) => {
    if (new URL(response.url()).pathname.endsWith('.wasm')) wasm.push(response);
  });
  return {
    paths,
    wasmPaths: () => paths.filter((p) => p.endsWith('.wasm')),
    /** The wasm answers that were not brotli, as `path: encoding`. */
    async notBrotli() {
      const wrong = [];
      for (const response of wasm) {
        const headers = await response.allHeaders();
        if (headers['content-encoding'] !== 'br') wrong.push(`${new URL(response.url()).pathname}: ${headers['content-encoding']}`);
      }
      return wrong;
    },
    clear() {
      paths.length = 0;
      wasm.length = 0;
    },
  };
}

e2e('without JavaScript, the home page shows the header, the service list, the tab bar and the progress', async ({ page, server }) => {
  const browser = await launchBrowser({ javaScript: false });
  try {
    const noScript = browser.context.pages()[0] ?? (await browser.context.newPage());
    await noScript.goto(server.url);
    assert.equal((await noScript.locator('.app-header__name').innerText()).trim(), APP_NAME);
    assert.ok(await noScript.getByRole('heading', { name: '服务事项', level: 1 }).isVisible(), 'the h1 服务事项');
    assert.deepEqual(await noScript.locator('.business-list__name').allTextContents(), BUSINESSES);
    for (const name of BUSINESSES) {
      assert.ok(await noScript.getByRole('link', { name: new RegExp(name) }).isVisible(), `the link ${name} shows`);
    }
    assert.deepEqual(
      await noScript.locator('.business-list a').evaluateAll((links) => links.map((a) => new URL(a.href).pathname)),
      ['/apply/reissue', '/apply/renewal', '/apply/change', '/apply/cancellation', '/apply/credit_assessment'],
    );
    const boot = noScript.locator('#boot');
    assert.ok(await boot.isVisible(), 'the progress shows');
    assert.match(await boot.innerText(), /正在加载…/);
    const tabs = noScript.getByRole('navigation', { name: '主导航' });
    assert.deepEqual(await tabs.locator('.weui-tabbar__label').allTextContents(), ['首页', '我的办件', '消息', '登录']);
  } finally {
    await browser.close();
  }
});

/** The login page's heading and text as they show. */
async function loginText(page) {
  const heading = page.getByRole('heading', { name: '登录', level: 1 });
  const lead = page.locator('main .page-lead:visible');
  await lead.waitFor();
  return { heading: await heading.innerText(), lead: await lead.innerText(), box: await lead.boundingBox() };
}

e2e('while the wasm is on its way, only the home page shows the painted service list, and /login its own text', async ({ page, server }) => {
  // The app's code held back: what the driver sees on a slow link before it arrives.
  await page.route('**/*.wasm', () => {});
  await page.goto(new URL('login', server.url).href);
  await page.locator('#boot').getByText('正在加载…').waitFor();
  assert.equal((await page.locator('.app-header__name').innerText()).trim(), APP_NAME);
  assert.ok(await page.getByRole('navigation', { name: '主导航' }).isVisible(), 'the tab bar shows');
  assert.ok(await page.locator('.business-list').isHidden(), 'no service list on /login');
  assert.match(await page.evaluate(() => document.documentElement.className), /\bboot-elsewhere\b/);
  // The login page's heading and text are painted where the app draws them, word for word.
  const painted = await loginText(page);
  await page.unroute('**/*.wasm');
  await page.reload();
  await page.getByRole('button', { name: '获取验证码' }).waitFor();
  await page.locator('#boot').waitFor({ state: 'detached' });
  assert.deepEqual(await loginText(page), painted, 'the app draws the text index.html painted, in the same place');

  await page.route('**/*.wasm', () => {});

  await page.goto(server.url);
  await page.locator('#boot').getByText('正在加载…').waitFor();
  await page.locator('.business-list__name').nth(4).waitFor();
  assert.deepEqual(await page.locator('.business-list__name').allTextContents(), BUSINESSES);
  assert.doesNotMatch(await page.evaluate(() => document.documentElement.className), /boot-elsewhere/);
  assert.ok(await page.locator('.boot-login').isHidden(), 'no login text on the home page');
  await expectAccessible(page);
});

e2e('on a weak 4G link the home page and the login page draw without moving anything', async ({ page, server, context }) => {
  // The list as painted by index.html, before any script.
  const browser = await launchBrowser({ javaScript: false });
  let painted;
  try {
    const noScript = browser.context.pages()[0] ?? (await browser.context.newPage());
    await noScript.goto(server.url);
    painted = await businessList(noScript);
  } finally {
    await browser.close();
  }
  assert.deepEqual(painted.names, BUSINESSES);

  await recordLayoutShifts(page);
  await weakLink(context, page);

  const catalogue = page.waitForResponse((r) => r.url().endsWith('/api/v1/businesses'), { timeout: 60_000 });
  const started = Date.now();
  await page.goto(server.url, { waitUntil: 'commit' });
  await page.locator('.business-list__name').nth(4).waitFor();
  // Painted before the app: the list is there while the progress still shows.
  const paintedWhileLoading = await page.locator('#boot').count();
  await page.locator('#boot').waitFor({ state: 'detached', timeout: 60_000 });
  const mounted = Date.now() - started;
  await catalogue;
  await page.waitForTimeout(1_000);
  assert.equal(paintedWhileLoading, 1, 'the service list showed before the app mounted');
  const drawn = await businessList(page);
  assert.deepEqual(drawn, painted, 'the app draws the list index.html painted');
  const home = await cumulativeShift(page);
  assert.ok(home.total < 0.01, `the home page moved by ${home.total} (mounted after ${mounted} ms): ${JSON.stringify(home.shifts)}`);

  await page.goto(new URL('login', server.url).href, { waitUntil: 'commit' });
  await page.locator('#boot').waitFor({ state: 'detached', timeout: 60_000 });
  await page.getByRole('button', { name: '获取验证码' }).waitFor();
  await page.waitForTimeout(1_000);
  const login = await cumulativeShift(page);
  assert.ok(login.total < 0.01, `the login page moved by ${login.total}: ${JSON.stringify(login.shifts)}`);
});

e2e(
  'each entry page loads its own wasm only, brotli-compressed',
  async ({ page, server }) => {
    const requests = recordRequests(page, server);

    // The front: nothing of the driver's work or the clerks' console.
    await open(page, server, '/');
    await page.locator('.business-list__name').nth(4).waitFor();
    await page.waitForLoadState('networkidle');
    assert.ok(requests.wasmPaths().length === 1, `the front loads one wasm: ${requests.wasmPaths()}`);
    assert.deepEqual(requests.paths.filter((p) => /^\/(driver|staff)\//.test(p)), [], 'nothing under /driver/ or /staff/');
    assert.deepEqual(await requests.notBrotli(), []);

    // The clerks' console: its own wasm and no other.
    requests.clear();
    await open(page, server, 'staff');
    await page.getByRole('heading', { name: '业务办理人员登录' }).waitFor();
    await page.waitForLoadState('networkidle');
    const staff = requests.wasmPaths();
    assert.ok(staff.some((p) => /^\/staff\/[^/]+\.wasm$/.test(p)), `the console's wasm: ${staff}`);
    assert.deepEqual(staff.filter((p) => !p.startsWith('/staff/')), [], 'no wasm outside /staff/');
    assert.deepEqual(await requests.notBrotli(), []);

    // The driver's work: its own wasm, not the front's nor the console's.
    requests.clear();
    await open(page, server, 'cases');
    await page.getByRole('heading', { name: '我的办件', level: 1 }).waitFor();
    await page.waitForLoadState('networkidle');
    const driver = requests.wasmPaths();
    assert.ok(driver.some((p) => /^\/driver\/taxicert-driver[^/]*\.wasm$/.test(p)), `the driver's wasm: ${driver}`);
    assert.deepEqual(driver.filter((p) => !p.startsWith('/driver/')), [], 'no wasm outside /driver/');
    assert.deepEqual(await requests.notBrotli(), []);
  },
  // Signed out: the console's GET /staff/session and the driver's pages answer 401.
  { allowConsoleErrors: [/status of 401/] },
);

e2e('a business on the home page opens in the driver entry, and its 首页 tab shows the list without loading another page', async ({ page, server }) => {
  await open(page, server, '/');
  await page.evaluate(() => (window.samePage = true));
  await page.getByRole('link', { name: /从业资格证换发/ }).click();
  await page.getByRole('heading', { name: '从业资格证换发业务须知' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/apply/renewal');
  assert.equal(await page.evaluate(() => window.samePage), undefined, 'a page load into the driver entry');
  assert.ok(
    await page.evaluate(() => performance.getEntriesByType('resource').some((r) => /\/driver\/taxicert-driver[^/]*\.wasm$/.test(r.name))),
    'the driver entry runs the page',
  );
  await expectAccessible(page);

  await open(page, server, 'cases');
  await page.getByRole('heading', { name: '我的办件', level: 1 }).waitFor();
  await page.evaluate(() => (window.samePage = true));
  await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '首页', exact: true }).click();
  await page.getByRole('heading', { name: '服务事项', level: 1 }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/');
  assert.equal(await page.evaluate(() => window.samePage), true, 'the driver entry shows 首页 itself');
  assert.deepEqual(await page.locator('.business-list__name').allTextContents(), BUSINESSES);
  await expectAccessible(page);
});

e2e('the real-name page starts the photo worker before any photo is picked', async ({ page, server }) => {
  await logIn(page, server, '13812345678');
  const worker = [];
  page.on('request', (request) => /photo_worker/.test(request.url()) && worker.push(new URL(request.url()).pathname));
  const loader = page.waitForRequest((r) => /\/driver\/photo_worker(_simd)?_loader\.js$/.test(r.url()));
  const wasm = page.waitForRequest((r) => /\/driver\/photo_worker(_simd)?_bg\.wasm$/.test(r.url()));
  await open(page, server, 'realname');
  await page.getByLabel('选择身份证人像面的照片').waitFor({ state: 'attached' });
  await loader;
  await wasm;
  assert.equal(await page.locator('.uploader__preview').count(), 0, 'no photo was picked');
  assert.ok(worker.some((p) => /^\/driver\/photo_worker_simd_loader\.js$/.test(p)), `Chromium starts the SIMD build: ${worker}`);
});
