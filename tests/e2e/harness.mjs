// The end-to-end harness: the real server on a free port with a fresh SQLite file, and
// headless Chromium as a phone (375×812, touch, mobile user agent). Every page visited is
// checked with axe-core; a failing test leaves a screenshot and the browser's console log
// under target/e2e/.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const ARTIFACTS = join(ROOT, 'target/e2e');
const SERVER_BIN = join(ROOT, 'target/debug/taxicert-server');
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// A mid-range Android phone in WeChat's browser.
const PHONE = {
  viewport: { width: 375, height: 812 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'zh-CN',
  userAgent:
    'Mozilla/5.0 (Linux; Android 13; V2203A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) ' +
    'Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MicroMessenger/8.0.47 ' +
    'NetType/4G Language/zh_CN',
};

/** Starts the reference server; resolves once it prints the address it listens on. */
export async function startServer({ basePath = '/', dist = join(ROOT, 'dist'), env = {} } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'taxicert-e2e-'));
  const serverEnv = {
      ...process.env,
      TAXICERT_BIND: '127.0.0.1:0',
      TAXICERT_DATABASE: join(dataDir, 'taxicert.sqlite3'),
      TAXICERT_KEY_FILE: join(dataDir, 'taxicert.key'),
      TAXICERT_UPLOAD_DIR: join(dataDir, 'uploads'),
      TAXICERT_DIST: dist,
      TAXICERT_BASE_PATH: basePath,
      TAXICERT_DEV: 'true',
      TAXICERT_REALNAME_AUTO_APPROVE: 'true',
      TAXICERT_LOG_FORMAT: 'json',
      RUST_LOG: 'warn',
      ...env,
  };
  const child = spawn(SERVER_BIN, [], { env: serverEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr.on('data', (chunk) => (log += chunk));
  const url = await new Promise((resolveUrl, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the server did not start in 30 s:\n${log}`)), 30_000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = out.match(/listening on (http:\/\/\S+)/);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code}:\n${log}`));
    });
  });
  const origin = new URL(url).origin;
  return {
    url,
    origin,
    /** Where the server keeps uploaded photos, to count the stored copies. */
    uploadDir: join(dataDir, 'uploads'),
    log: () => log,
    /**
     * Creates a staff account with the server's own command, as an administrator would:
     * `taxicert-server staff add`. Returns the password.
     */
    addStaff(username, displayName, role = 'clerk') {
      const password = `e2e-${username}-password`;
      const result = spawnSync(SERVER_BIN, ['staff', 'add', username, '--name', displayName, '--role', role], {
        env: { ...serverEnv, TAXICERT_STAFF_PASSWORD: password },
        encoding: 'utf8',
      });
      assert.equal(result.status, 0, `staff add failed: ${result.stderr}`);
      return password;
    },
    /** SIGTERM, as a service manager stops it: the server must shut down cleanly. */
    async stop() {
      try {
        if (child.exitCode === null) {
          const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
          child.kill('SIGTERM');
          const { code, signal } = await exited;
          assert.equal(code, 0, `the server did not shut down cleanly (exit ${code}, signal ${signal}):\n${log}`);
        }
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * A phone by default; `{ desktop: true }` is a clerk's office computer, and
 * `{ javaScript: false }` a browser with JavaScript turned off.
 */
export async function launchBrowser({ desktop = false, javaScript = true } = {}) {
  const userDataDir = mkdtempSync(join(tmpdir(), 'taxicert-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-quic',
      '--disable-sync',
      '--no-first-run',
    ],
    // A clerk's desk: the common office laptop's 1366 × 768.
    ...(desktop ? { viewport: { width: 1366, height: 768 }, locale: 'zh-CN' } : PHONE),
    javaScriptEnabled: javaScript,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A test that gets a fresh server and phone browser. It fails on a page error, a console
 * error (other than a network failure the test itself caused) or any CSP violation; on failure
 * it saves `target/e2e/<name>.png` and `<name>.log`.
 */
export function e2e(name, body, { server: serverOptions = {}, allowConsoleErrors = [] } = {}) {
  test(name, async () => {
    const server = await startServer(serverOptions);
    const browser = await launchBrowser();
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    const consoleLog = [];
    const problems = [];
    page.on('console', (message) => {
      const line = `[${message.type()}] ${message.text()}`;
      consoleLog.push(line);
      if (/Content.Security.Policy|Refused to (load|execute|apply|connect)/i.test(message.text())) {
        problems.push(`CSP violation: ${message.text()}`);
      } else if (message.type() === 'error' && NO_DRAFT_YET.test(message.location().url ?? '') && /404/.test(message.text())) {
        // The contract answers 404 for a business with no draft yet; the browser logs it.
      } else if (message.type() === 'error' && !allowConsoleErrors.some((re) => re.test(message.text()))) {
        problems.push(`console error: ${message.text()}`);
      }
    });
    page.on('pageerror', (error) => {
      consoleLog.push(`[pageerror] ${error.message}`);
      problems.push(`page error: ${error.message}`);
    });
    try {
      await body({ page, server, context: browser.context });
      assert.deepEqual(problems, [], 'the browser reported problems');
    } catch (error) {
      mkdirSync(ARTIFACTS, { recursive: true });
      const file = name.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '');
      await page.screenshot({ path: join(ARTIFACTS, `${file}.png`), fullPage: true }).catch(() => {});
      writeFileSync(join(ARTIFACTS, `${file}.log`), `${consoleLog.join('\n')}\n\n--- server log ---\n${server.log()}`);
      throw error;
    } finally {
      await browser.close();
      await server.stop();
    }
  });
}

const NO_DRAFT_YET = /\/api\/v1\/drafts\/[a-z_]+$/;

/** axe-core on the page as it stands: no serious or critical violation. */
export async function expectAccessible(page) {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(`${AXE_SOURCE};0`);
  const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = serious
    .map((v) => `${v.impact} ${v.id}: ${v.help}\n${v.nodes.map((n) => `  ${n.target.join(' ')}`).join('\n')}`)
    .join('\n');
  assert.equal(serious.length, 0, `axe found serious accessibility problems on ${page.url()}:\n${report}`);
}

/** Opens `path` under the server's app URL and waits for the app to replace the boot text. */
export async function open(page, server, path = '') {
  await page.goto(new URL(path.replace(/^\//, ''), server.url).href);
  await page.locator('#boot').waitFor({ state: 'detached', timeout: 20_000 });
}

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

/**
 * The entry page that answers a page of the app, as README's CDN section says (the same list
 * as `taxicert_api::ENTRY_PAGES`).
 */
function entryPage(rest) {
  const first = rest.replace(/^\//, '').split('/')[0];
  if (['realname', 'apply', 'cases', 'messages', 'verify'].includes(first)) return 'driver/index.html';
  if (first === 'staff') return 'staff/index.html';
  return 'index.html';
}

/**
 * A fake third party (WeChat, a carrier's gateway) on loopback, closed with its open
 * connections when the file's tests are done: a server left listening keeps the test file's
 * process, and so `make test`, running for ever.
 */
export async function startFake(handler) {
  const { createServer } = await import('node:http');
  const server = createServer(handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { server, base: `http://127.0.0.1:${server.address().port}` };
}

/**
 * A plain static host, as a CDN or nginx would be set up: `dist/` under `prefix`, paths
 * without an extension answered with their entry page as built (no `<base>` written in),
 * files sent as the build compressed them (`name.br`) where the browser accepts brotli, and
 * `/api/` passed through to the reference server.
 */
export async function startStaticHost({ prefix, apiOrigin, dist = join(ROOT, 'dist') }) {
  const http = await import('node:http');
  const server = http.createServer((request, response) => {
    const url = new URL(request.url, 'http://host');
    if (url.pathname.startsWith('/api/')) {
      const upstream = http.request(apiOrigin + request.url, { method: request.method, headers: request.headers }, (answer) => {
        response.writeHead(answer.statusCode, answer.headers);
        answer.pipe(response);
      });
      request.pipe(upstream);
      return;
    }
    if (!url.pathname.startsWith(prefix)) {
      response.writeHead(404).end('Not Found');
      return;
    }
    const rest = url.pathname.slice(prefix.length);
    const last = rest.split('/').pop();
    const file = last.includes('.') ? rest : entryPage(rest);
    const extension = file.slice(file.lastIndexOf('.'));
    const headers = { 'content-type': CONTENT_TYPES[extension] ?? 'application/octet-stream', vary: 'accept-encoding' };
    try {
      let body;
      if (/\bbr\b/.test(request.headers['accept-encoding'] ?? '') && existsSync(join(dist, `${file}.br`))) {
        body = readFileSync(join(dist, `${file}.br`));
        headers['content-encoding'] = 'br';
      } else {
        body = readFileSync(join(dist, file));
      }
      response.writeHead(200, headers).end(body);
    } catch {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}${prefix}`,
    stop: () => new Promise((r) => server.close(r)),
  };
}

/** Draws the fictional sample ID card (or an expired one) into a fresh folder. */
export function drawIdCard({ expired = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'taxicert-card-'));
  const result = spawnSync(join(ROOT, 'target/debug/draw-id-card'), expired ? [dir, 'expired'] : [dir]);
  assert.equal(result.status, 0, `draw-id-card failed: ${result.stderr}`);
  return { portrait: join(dir, 'portrait.png'), emblem: join(dir, 'emblem.png') };
}

/**
 * On the login page: agrees, types the number and asks for a code; waits for the countdown
 * and returns the code from the dev outbox.
 */
export async function askForCode(page, server, phone) {
  await page.getByLabel('我已阅读并同意').check();
  await page.getByLabel('手机号').fill(phone);
  await page.getByRole('button', { name: '获取验证码' }).click();
  await page.getByRole('button', { name: /秒后重新获取/ }).waitFor();
  return outboxCode(page, server, phone);
}

/** The newest code the dev sender kept for `phone`. */
export async function outboxCode(page, server, phone) {
  const outbox = await (await page.request.get(`${server.origin}/api/v1/dev/sms-outbox`)).json();
  const message = outbox.find((m) => m.phone === phone);
  assert.ok(message, `a code for ${phone} in the dev outbox`);
  return message.code;
}

/** Logs in through the login page with the code from the dev outbox. */
export async function logIn(page, server, phone) {
  await open(page, server, 'login');
  await page.getByLabel('验证码').fill(await askForCode(page, server, phone));
  await page.getByRole('button', { name: '提交验证' }).click();
  await page.getByRole('heading', { name: '服务事项' }).waitFor();
}

/**
 * A PNG of `width` × `height` drawn by the browser itself (a flat page with a few lines), as a
 * file for `setInputFiles`: for sizes the fixtures do not have.
 */
export async function drawnPng(page, width, height) {
  const dataUrl = await page.evaluate(([w, h]) => {
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    const context = canvas.getContext('2d');
    context.fillStyle = '#f4f1ea';
    context.fillRect(0, 0, w, h);
    context.fillStyle = '#222';
    for (let y = 20; y < h - 20; y += 24) context.fillRect(20, y, w - 40, 6);
    return canvas.toDataURL('image/png');
  }, [width, height]);
  return { name: 'small.png', mimeType: 'image/png', buffer: Buffer.from(dataUrl.split(',')[1], 'base64') };
}

/** Draws the photos the uploader tests pick (see testkit's draw-photos) into a fresh folder. */
export function drawPhotos() {
  const dir = mkdtempSync(join(tmpdir(), 'taxicert-photos-'));
  const result = spawnSync(join(ROOT, 'target/debug/draw-photos'), [dir]);
  assert.equal(result.status, 0, `draw-photos failed: ${result.stderr}`);
  const at = (name) => join(dir, name);
  return {
    portrait: at('portrait.jpg'),
    licence: at('licence.jpg'),
    page: at('page.png'),
    blurry: at('blurry.jpg'),
    heic: at('iphone.jpg'),
  };
}

/**
 * Logs in and completes the real-name check through the API (the real-name pages have their
 * own tests): the sample card is read by the server and approved at once in dev mode.
 */
export async function logInVerified(page, server, phone) {
  await logIn(page, server, phone);
  const card = drawIdCard();
  const headers = { 'X-Taxicert-Csrf': '1', Origin: server.origin };
  const file = (path) => ({ name: 'card.png', mimeType: 'image/png', buffer: readFileSync(path) });
  const read = await page.request.post(`${server.origin}/api/v1/realname/id-card`, {
    headers,
    multipart: { portrait: file(card.portrait), emblem: file(card.emblem) },
  });
  assert.equal(read.status(), 200, await read.text());
  const { fields } = await read.json();
  const submitted = await page.request.post(`${server.origin}/api/v1/realname/submission`, {
    headers,
    data: { fields, typed: [] },
  });
  assert.equal(submitted.status(), 200, await submitted.text());
}

/** The API under the test server, as the signed-in page would call it. */
export async function api(page, server, method, path, data) {
  const answer = await page.request.fetch(`${server.origin}/api/v1${path}`, {
    method,
    headers: { 'X-Taxicert-Csrf': '1', Origin: server.origin },
    data,
  });
  const text = await answer.text();
  assert.ok(answer.ok(), `${method} ${path}: ${answer.status()} ${text}`);
  return text ? JSON.parse(text) : null;
}

/**
 * The answers of 填写申请信息 that `business` asks, complete and valid for `certificate` (as
 * listed for that business) and the first service hall: 补发 lost, 换发 A1 collected at the
 * hall, 变更 of the 准驾车型 to A1, 注销 on the driver's own application, 考核 of the latest
 * period. `details` overrides the business's own fields (its `business` tag is added).
 */
export function detailsFor(business, certificate, hall, details = {}) {
  const pickup = { method: 'pickup', hall_id: hall.id };
  const defaults = {
    reissue: { reason: 'lost', delivery: pickup },
    renewal: { licence_class: 'A1', delivery: pickup },
    change: { changes: [{ item: 'licence_class', new: 'A1' }], reason: '增驾A1' },
    cancellation: { reason: 'own_application', other_reason: '' },
    credit_assessment: { period: certificate.assessment_periods[0] },
  }[business];
  return { business, ...defaults, ...details };
}

/** Whether a material of the catalogue is asked for with these details (`Material::applies`). */
export function materialApplies(material, details) {
  const condition = material.condition;
  if (!condition) return true;
  if (condition.when === 'reissue_reason') return details.business === 'reissue' && details.reason === condition.reason;
  if (condition.when === 'change') return details.business === 'change' && details.changes.some((c) => c.item === condition.item);
  return false;
}

/**
 * Saves a business's draft through the API up to and including `upTo` (`notice`,
 * `certificate` or `personal_info`), for tests of a later step: the first certificate that
 * can be chosen, and a complete form of the business ([`detailsFor`], `details` overriding).
 * Returns the details saved (or that would be).
 */
export async function prepareDraft(page, server, business, upTo, details = {}) {
  const steps = ['notice', 'certificate', 'personal_info'];
  let certificate;
  let saved;
  for (const step of steps.slice(0, steps.indexOf(upTo) + 1)) {
    let answers = { step };
    if (step === 'certificate') {
      const certificates = await api(page, server, 'GET', `/certificates?business=${business}`);
      certificate = certificates.find((c) => c.unavailable_reason === null);
      assert.ok(certificate, `a certificate can be chosen for ${business}`);
      answers.certificate_id = certificate.id;
    } else if (step === 'personal_info') {
      const profile = await api(page, server, 'GET', '/profile');
      const [hall] = await api(page, server, 'GET', '/service-halls');
      saved = detailsFor(business, certificate, hall, details);
      answers.info = { contact_name: profile.name, contact_phone: profile.phone, details: saved };
    }
    await api(page, server, 'PUT', `/drafts/${business}`, answers);
  }
  return saved;
}

/**
 * Saves a draft of `business` through the API with every step up to 核对信息 done: up to the
 * personal info (`details` as for [`prepareDraft`]), then a photo for every required material
 * that applies.
 */
export async function prepareForReview(page, server, business, details = {}) {
  const saved = await prepareDraft(page, server, business, 'personal_info', details);
  const photos = drawPhotos();
  const detail = await api(page, server, 'GET', `/businesses/${business}`);
  const uploads = {};
  for (const material of detail.materials.filter((m) => m.required && materialApplies(m, saved))) {
    uploads[material.code] = await uploadPhoto(page, server, material.code, material.code === 'photo_2inch' ? photos.portrait : photos.page);
  }
  await api(page, server, 'PUT', `/drafts/${business}`, { step: 'materials', uploads });
}

/**
 * Submits a case of `business` through the API (the wizard has its own tests): the draft up
 * to the personal info (`details` as for [`prepareDraft`]), a photo for every required
 * material that applies, then 提交. Returns the case.
 */
export async function submitCase(page, server, business, details = {}) {
  await prepareForReview(page, server, business, details);
  const draft = await api(page, server, 'GET', `/drafts/${business}`);
  const answer = await page.request.post(`${server.origin}/api/v1/cases`, {
    headers: { 'X-Taxicert-Csrf': '1', Origin: server.origin, 'Idempotency-Key': `e2e-${business}-${Date.now()}` },
    data: { business, revision: draft.revision },
  });
  assert.equal(answer.status(), 201, await answer.text());
  return answer.json();
}

/**
 * On a page at `width` px (the narrowest phones are 320): nothing wider than the screen, so
 * no sideways scrolling. Restores the phone's width afterwards.
 */
export async function expectNoSidewaysScroll(page, width = 320) {
  const before = page.viewportSize();
  await page.setViewportSize({ width, height: before.height });
  try {
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scrollWidth <= width, `no horizontal scroll at ${width} px on ${page.url()}: ${scrollWidth} px wide`);
  } finally {
    await page.setViewportSize(before);
  }
}

/** Uploads a photo file for a material through the API; returns the upload's id. */
export async function uploadPhoto(page, server, material, path) {
  const answer = await page.request.post(`${server.origin}/api/v1/uploads`, {
    headers: { 'X-Taxicert-Csrf': '1', Origin: server.origin, 'Idempotency-Key': `e2e-${material}-${Math.random()}` },
    multipart: { material, file: { name: 'photo.jpg', mimeType: 'image/jpeg', buffer: readFileSync(path) } },
  });
  assert.ok(answer.ok(), `upload ${material}: ${answer.status()} ${await answer.text()}`);
  return (await answer.json()).id;
}

/**
 * The clerk's browser: a desktop (or with `{ phone: true }` a phone at 375 px) signed in to the
 * staff console, with the same checks the harness makes on the phone (no CSP violation, no
 * console error but a signed-out 401 and those of `allowConsoleErrors`, which the test causes).
 */
export async function clerkBrowser(server, username, password, { phone = false, allowConsoleErrors = [] } = {}) {
  const browser = await launchBrowser({ desktop: !phone });
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  const problems = [];
  page.on('console', (message) => {
    if (/Content.Security.Policy|Refused to (load|execute|apply|connect)/i.test(message.text())) {
      problems.push(`CSP violation: ${message.text()}`);
    } else if (message.type() === 'error' && ![/status of 401/, ...allowConsoleErrors].some((re) => re.test(message.text()))) {
      problems.push(`console error: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await open(page, server, 'staff');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.getByRole('button', { name: '退出登录' }).waitFor();
  return {
    page,
    async close() {
      await browser.close();
      assert.deepEqual(problems, [], 'the clerk’s browser reported problems');
    },
  };
}

// ---------------------------------------------------------------- the wizard, as a driver

/** The photo each material is photographed with (a page for the others). */
const PHOTO_FOR = { photo_2inch: 'portrait', driving_licence: 'licence' };

/** On the notice: scrolls the notice box to its end, then 同意并确认. */
export async function agreeToNotice(page) {
  const agree = page.getByRole('button', { name: '同意并确认' });
  await page.locator('.notice').evaluate((box) => (box.scrollTop = box.scrollHeight));
  await agree.and(page.locator(':enabled')).waitFor();
  await agree.click();
  await page.getByRole('heading', { name: '选择从业资格证' }).waitFor();
}

/** On 选择从业资格证: the first certificate that can be chosen, then 下一步. */
export async function chooseFirstCertificate(page) {
  await page.locator('.certificate:not(.certificate_disabled)').first().click();
  await page.getByRole('button', { name: '下一步' }).click();
  await page.getByRole('heading', { name: '填写申请信息' }).waitFor();
}

/** Uploads every required material of the step shown, and 下一步 to 核对信息. */
export async function uploadRequired(page, photos) {
  const sections = page.locator('section.uploader', { has: page.locator('.uploader__required', { hasText: '必传' }) });
  await sections.first().waitFor();
  for (const section of await sections.all()) {
    const code = (await section.getAttribute('id')).replace('material-', '');
    await section.locator('input[type=file]').setInputFiles(photos[PHOTO_FOR[code] ?? 'page']);
    await section.locator('.uploader__badge', { hasText: '上传成功' }).waitFor({ timeout: 30_000 });
  }
  await page.getByRole('button', { name: '下一步' }).click();
  await page.getByRole('heading', { name: '核对信息' }).waitFor();
}

/** On 核对信息: 提交; returns the case number shown on 提交成功. */
export async function submitFromReview(page) {
  await page.getByRole('button', { name: '提交' }).click();
  await page.getByRole('heading', { name: '申请已提交' }).waitFor();
  return (await page.locator('.submitted__number').textContent()).trim();
}

/** The material codes of the uploaders on the step shown, in order. */
export async function uploaderCodes(page) {
  await page.locator('section.uploader').first().waitFor();
  return page.locator('section.uploader').evaluateAll((sections) => sections.map((s) => s.id.replace('material-', '')));
}
