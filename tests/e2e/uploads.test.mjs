// 上传申请材料 in a real browser: photos picked through the real file input, checked and
// shrunk by the photo worker, sent with progress, 上传成功 once stored; refusals that say what
// to do; a lost answer retried with one stored copy.

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  ARTIFACTS,
  api,
  clerkBrowser,
  drawPhotos,
  drawnPng,
  e2e,
  expectAccessible,
  logInVerified,
  open,
  prepareDraft,
  uploaderCodes,
} from './harness.mjs';

const PHONE = '13812345678';

/** A passing run leaves this picture in target/e2e/. */
async function picture(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const { width } = page.viewportSize();
  await page.screenshot({ path: join(ARTIFACTS, `${name}-${width}.png`), fullPage: true });
}

const storedCopies = (server) => readdirSync(server.uploadDir).filter((name) => !name.endsWith('.partial')).length;

e2e('a verified driver uploads every renewal material and sees the preview, the progress and 上传成功', async ({ page, server, context }) => {
  const photos = drawPhotos();
  await logInVerified(page, server, PHONE);
  await prepareDraft(page, server, 'renewal', 'personal_info');
  // The worker is started as the step shows, so that its code is on the phone before the
  // driver has found his first photo.
  const workerFetches = [];
  page.on('request', (request) => /photo_worker/.test(request.url()) && workerFetches.push(new URL(request.url()).pathname));
  const workerLoader = page.waitForRequest((r) => /\/driver\/photo_worker(_simd)?_loader\.js$/.test(r.url()));
  const workerWasm = page.waitForRequest((r) => /\/driver\/photo_worker(_simd)?_bg\.wasm$/.test(r.url()));
  await open(page, server, 'apply/renewal/materials');
  await page.getByRole('heading', { name: '近期二寸正面免冠彩色证件照' }).waitFor();
  await workerLoader;
  await workerWasm;
  assert.equal(await page.locator('.uploader__preview').count(), 0, 'before any photo is picked');
  assert.ok(workerFetches.includes('/driver/photo_worker_simd_loader.js'), `Chromium starts the SIMD build: ${workerFetches}`);
  assert.ok(workerFetches.includes('/driver/photo_worker_simd_bg.wasm'), `and fetches its wasm: ${workerFetches}`);
  await page.getByRole('img', { name: '近期二寸正面免冠彩色证件照示例' }).waitFor();
  assert.ok(await page.getByRole('button', { name: '下一步' }).isDisabled());
  await expectAccessible(page);

  // A slow uplink, so that the progress bar shows its way from 0 to 100.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 40,
    downloadThroughput: 1024 * 1024,
    uploadThroughput: 64 * 1024,
  });
  await page.evaluate(() => {
    window.progressSeen = [];
    new MutationObserver(() => {
      for (const bar of document.querySelectorAll('.uploader__progress')) window.progressSeen.push(Number(bar.value));
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['value'] });
  });

  const portrait = page.locator('#material-photo_2inch');
  await page.getByLabel('选择近期二寸正面免冠彩色证件照的照片').setInputFiles(photos.portrait);
  await portrait.locator('.uploader__preview').waitFor();
  await portrait.locator('.uploader__badge', { hasText: '上传成功' }).waitFor({ timeout: 30_000 });
  assert.deepEqual(workerFetches.filter((p) => /_bg\.wasm$/.test(p)), ['/driver/photo_worker_simd_bg.wasm'], 'the first photo used the prefetched worker');
  const seen = await page.evaluate(() => window.progressSeen);
  assert.ok(seen.some((value) => value > 0 && value < 99), `the bar moved in between: ${seen.join(',')}`);
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

  // A sideways licence photo with a GPS tag: stored upright, without its metadata.
  await page.getByLabel('选择机动车驾驶证的照片').setInputFiles(photos.licence);
  await page.locator('#material-driving_licence .uploader__badge', { hasText: '上传成功' }).waitFor({ timeout: 30_000 });
  await page.getByLabel('选择从业资格证个人信息页的照片').setInputFiles(photos.page);
  await page.locator('#material-cert_info_page .uploader__badge', { hasText: '上传成功' }).waitFor({ timeout: 30_000 });
  assert.ok(await page.getByRole('button', { name: '下一步' }).isDisabled(), 'one required material is still missing');
  await page.getByText('还有1项必传材料未上传成功。').waitFor();
  await page.getByLabel('选择从业资格证违章记录页的照片').setInputFiles(photos.page);
  await page.locator('#material-cert_violation_page .uploader__badge', { hasText: '上传成功' }).waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: '下一步' }).and(page.locator(':enabled')).waitFor();
  assert.equal(storedCopies(server), 4);
  await expectAccessible(page);

  // No tab bar while the form is filled in; leaving the step by the header's link and coming
  // back keeps every photo.
  assert.ok(await page.locator('.app-tabbar').isHidden(), 'no tab bar in the form');
  await page.locator('.app-header a').click();
  await page.getByRole('heading', { name: '服务事项' }).waitFor();
  await page.goBack();
  await page.locator('#material-photo_2inch .uploader__badge', { hasText: '上传成功' }).waitFor();
  assert.equal(await page.locator('.uploader__badge').count(), 4);

  // Delete takes the photo off the server too.
  await page.locator('#material-cert_violation_page').getByRole('button', { name: '删除' }).click();
  await page.getByText('还有1项必传材料未上传成功。').waitFor();
  // Focus stays in the uploader whose button went with the photo.
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'material-cert_violation_page');
  await waitFor(() => storedCopies(server) === 3, 'the deleted photo is gone from the server');
});

e2e('a photo the phone refuses says why and what to do, stays in sight, and the photo before it stays', async ({ page, server }) => {
  const photos = drawPhotos();
  await logInVerified(page, server, PHONE);
  await prepareDraft(page, server, 'renewal', 'personal_info');
  await open(page, server, 'apply/renewal/materials');
  const page1 = page.locator('#material-cert_info_page');
  await page.getByLabel('选择从业资格证个人信息页的照片').setInputFiles(photos.page);
  await page1.locator('.uploader__badge', { hasText: '上传成功' }).waitFor({ timeout: 30_000 });

  // Below the material's minimum resolution: refused, the refused picture shown beside why.
  await page.getByLabel('选择从业资格证个人信息页的照片').setInputFiles(await drawnPng(page, 400, 300));
  await page1.getByRole('alert').getByText(/只有400×300像素.*请靠近一些/).waitFor({ timeout: 30_000 });
  await page1.getByRole('img', { name: '未通过检查的从业资格证个人信息页照片' }).waitFor();
  const wide = page.viewportSize();
  await page.setViewportSize({ width: 320, height: wide.height });
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 320), 'no horizontal scroll at 320 px');
  await picture(page, 'upload-refused');
  await page.setViewportSize(wide);
  assert.equal(await page1.locator('.uploader__badge', { hasText: '上传成功' }).count(), 1, 'the stored photo stays');

  // HEIC, which this browser cannot convert: the refusal says how to avoid it.
  await page.getByLabel('选择从业资格证个人信息页的照片').setInputFiles(photos.heic);
  await page1.getByRole('alert').getByText(/HEIC格式.*兼容性最佳/).waitFor();
  // A file with no name extension and no type (as Android WeChat hands them over) goes by content.
  await page.getByLabel('选择从业资格证个人信息页的照片').setInputFiles({
    name: 'IMG20261201',
    mimeType: '',
    buffer: readFileSync(photos.licence),
  });
  await page1.locator('.uploader__badge', { hasText: '上传成功' }).waitFor({ timeout: 30_000 });
  await waitFor(() => storedCopies(server) === 1, 'the replaced photo is deleted once its successor is stored');
  await expectAccessible(page);
});

e2e('a photo the checks advise against waits with the advice: 重新拍摄, or 仍然使用这张 and the clerk sees why', async ({ page, server }) => {
  const photos = drawPhotos();
  const password = server.addStaff('clerk09', '李办理');
  await logInVerified(page, server, PHONE);
  await prepareDraft(page, server, 'renewal', 'personal_info');
  await open(page, server, 'apply/renewal/materials');

  // A page out of focus: advice for a document, nothing sent until the driver chooses.
  const info = page.locator('#material-cert_info_page');
  await page.getByLabel('选择从业资格证个人信息页的照片').setInputFiles(photos.blurry);
  const advice = info.locator('.uploader__advice');
  await advice.getByText(/模糊.*文字可能看不清/).waitFor({ timeout: 30_000 });
  await info.locator('.uploader__preview').waitFor();
  await info.locator('label', { hasText: '重新拍摄' }).waitFor();
  assert.equal(storedCopies(server), 0, 'nothing is sent before the driver chooses');
  await expectAccessible(page);
  await picture(page, 'upload-advice');
  // The advice and its two buttons fit the narrowest phones.
  const wide = page.viewportSize();
  await page.setViewportSize({ width: 320, height: wide.height });
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 320), 'no horizontal scroll at 320 px');
  await picture(page, 'upload-advice');
  await page.setViewportSize(wide);
  await info.getByRole('button', { name: '仍然使用这张' }).click();
  await info.locator('.uploader__badge', { hasText: '上传成功' }).waitFor({ timeout: 30_000 });
  await info.getByText('已按您的选择使用这张照片').waitFor();
  assert.equal(await advice.count(), 0);

  // A document page as the 2-inch photo: the wrong shape, advised in a portrait's words;
  // 重新拍摄 with a proper portrait goes straight through.
  const portrait = page.locator('#material-photo_2inch');
  await page.getByLabel('选择近期二寸正面免冠彩色证件照的照片').setInputFiles(photos.page);
  await portrait.locator('.uploader__advice').getByText(/二寸照应为竖版、宽高比约35:49/).waitFor({ timeout: 30_000 });
  assert.equal(await portrait.locator('.uploader__advice').getByText(/文字/).count(), 0, 'no document advice for a portrait');
  await page.getByLabel('选择近期二寸正面免冠彩色证件照的照片').setInputFiles(photos.portrait);
  await portrait.locator('.uploader__badge', { hasText: '上传成功' }).waitFor({ timeout: 30_000 });
  assert.equal(await portrait.locator('.uploader__advice').count(), 0);

  await page.getByLabel('选择机动车驾驶证的照片').setInputFiles(photos.licence);
  await page.locator('#material-driving_licence .uploader__badge', { hasText: '上传成功' }).waitFor({ timeout: 30_000 });
  await page.getByLabel('选择从业资格证违章记录页的照片').setInputFiles(photos.page);
  await page.locator('#material-cert_violation_page .uploader__badge', { hasText: '上传成功' }).waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: '下一步' }).click();
  await page.getByRole('heading', { name: '核对信息' }).waitFor();
  await page.getByRole('button', { name: '提交' }).click();
  await page.getByRole('heading', { name: '申请已提交' }).waitFor();

  // The server measured the photo again and kept its advice: the clerk sees it beside the photo.
  const [submitted] = await api(page, server, 'GET', '/cases');
  const clerk = await clerkBrowser(server, 'clerk09', password);
  try {
    await open(clerk.page, server, 'staff/cases');
    await clerk.page.getByRole('link', { name: submitted.id }).click();
    const figure = clerk.page.locator('.staff-photo', { hasText: '从业资格证个人信息页' });
    await figure.locator('.staff-photo__warnings li[data-code="blurry"]').waitFor();
    assert.equal(await clerk.page.locator('.staff-photo__warnings').count(), 1, 'only the blurred photo carries advice');
    await expectAccessible(clerk.page);
  } finally {
    await clerk.close();
  }
});

e2e(
  'offline in the middle of an upload, the photo waits and goes by itself when the network is back, one copy stored',
  async ({ page, server, context }) => {
    const photos = drawPhotos();
    await logInVerified(page, server, PHONE);
    await prepareDraft(page, server, 'renewal', 'personal_info');
    await open(page, server, 'apply/renewal/materials');
    // A first photo goes through while online (the worker started as the step showed).
    await page.getByLabel('选择近期二寸正面免冠彩色证件照的照片').setInputFiles(photos.portrait);
    await page.locator('#material-photo_2inch .uploader__badge', { hasText: '上传成功' }).waitFor({ timeout: 30_000 });

    // The photo reaches the server, which stores it; the phone drops off the network before
    // the answer comes back.
    const keys = [];
    let dropped = false;
    await page.route('**/api/v1/uploads', async (route) => {
      keys.push(route.request().headers()['idempotency-key']);
      if (!dropped) {
        dropped = true;
        await route.fetch();
        await context.setOffline(true);
        await route.abort('internetdisconnected');
      } else {
        await route.continue();
      }
    });
    const licence = page.locator('#material-driving_licence');
    await page.getByLabel('选择机动车驾驶证的照片').setInputFiles(photos.licence);
    await licence.getByText('等待网络恢复').waitFor({ timeout: 30_000 });
    const message = await licence.getByRole('alert').textContent();
    assert.match(message, /恢复网络后会自动继续上传/);
    assert.doesNotMatch(message, /重试/, 'no button is named that is not on the screen');
    assert.equal(await licence.getByRole('button', { name: '重试' }).count(), 0);
    await new Promise((r) => setTimeout(r, 3_000));
    assert.equal(keys.length, 1, 'nothing is sent while offline');

    await context.setOffline(false);
    await licence.locator('.uploader__badge', { hasText: '上传成功' }).waitFor({ timeout: 30_000 });
    assert.ok(keys.length >= 2, `sent again after the network came back: ${keys.length}`);
    assert.equal(new Set(keys).size, 1, 'every try carries the same idempotency key');
    assert.equal(storedCopies(server), 2, 'one stored copy of the licence beside the portrait');
  },
  { allowConsoleErrors: [/ERR_INTERNET_DISCONNECTED|ERR_FAILED/] },
);

e2e(
  'an answer lost on the network is retried by itself with the same key, and one copy is stored',
  async ({ page, server }) => {
    const photos = drawPhotos();
    await logInVerified(page, server, PHONE);
    await prepareDraft(page, server, 'renewal', 'personal_info');
    await open(page, server, 'apply/renewal/materials');
    // The first upload reaches the server, which stores it; the answer is then cut off, as
    // when the phone drops off the network mid-request (Playwright's route runs on CDP Fetch).
    let cut = 0;
    const keys = [];
    await page.route('**/api/v1/uploads', async (route) => {
      keys.push(route.request().headers()['idempotency-key']);
      if (cut === 0) {
        cut += 1;
        await route.fetch();
        await route.abort('internetdisconnected');
      } else {
        await route.continue();
      }
    });
    await page.getByLabel('选择机动车驾驶证的照片').setInputFiles(photos.licence);
    const licence = page.locator('#material-driving_licence');
    await licence.getByText(/正在自动重试/).waitFor({ timeout: 30_000 });
    await licence.locator('.uploader__badge', { hasText: '上传成功' }).waitFor({ timeout: 30_000 });
    assert.equal(keys.length, 2);
    assert.equal(keys[0], keys[1], 'the retry sends the same idempotency key');
    assert.equal(storedCopies(server), 1, 'one stored copy');
  },
  { allowConsoleErrors: [/ERR_INTERNET_DISCONNECTED|ERR_FAILED/] },
);

e2e(
  'when every automatic retry fails, the retry button sends the kept photo',
  async ({ page, server }) => {
    const photos = drawPhotos();
    await logInVerified(page, server, PHONE);
    await prepareDraft(page, server, 'renewal', 'personal_info');
    await open(page, server, 'apply/renewal/materials');
    let failing = true;
    await page.route('**/api/v1/uploads', (route) =>
      failing
        ? route.fulfill({ status: 503, contentType: 'application/json', body: '{"code":"unavailable","message":"服务繁忙"}' })
        : route.continue(),
    );
    await page.getByLabel('选择机动车驾驶证的照片').setInputFiles(photos.licence);
    const licence = page.locator('#material-driving_licence');
    await licence.getByRole('button', { name: '重试' }).waitFor({ timeout: 60_000 });
    await licence.getByText('上传失败').waitFor();
    await licence.locator('.uploader__preview').waitFor();
    failing = false;
    await licence.getByRole('button', { name: '重试' }).click();
    await licence.locator('.uploader__badge', { hasText: '上传成功' }).waitFor({ timeout: 30_000 });
    assert.equal(storedCopies(server), 1);
  },
  { allowConsoleErrors: [/503/] },
);

e2e('where the browser decodes HEIC itself (Safari, iOS WebViews), the phone converts it and goes on', async ({ page, server }) => {
  const photos = drawPhotos();
  // Chromium cannot decode HEIC: stand in for Safari, whose createImageBitmap reads it, with a
  // decoder that turns the HEIC file into a 1600 × 1200 page, upright.
  await page.addInitScript(() => {
    const real = window.createImageBitmap.bind(window);
    window.createImageBitmap = async (source, ...rest) => {
      const head = source instanceof Blob ? new Uint8Array(await source.slice(4, 8).arrayBuffer()) : null;
      if (!head || String.fromCharCode(...head) !== 'ftyp') return real(source, ...rest);
      window.heicDecoded = (window.heicDecoded ?? 0) + 1;
      const canvas = document.createElement('canvas');
      canvas.width = 1600;
      canvas.height = 1200;
      const context = canvas.getContext('2d');
      context.fillStyle = '#f4f1ea';
      context.fillRect(0, 0, 1600, 1200);
      context.fillStyle = '#222';
      context.font = '28px sans-serif';
      for (let y = 60; y < 1160; y += 48) context.fillText('中华人民共和国机动车驾驶证 准驾车型 C1 有效期限', 60, y);
      return real(canvas);
    };
  });
  await logInVerified(page, server, PHONE);
  await prepareDraft(page, server, 'renewal', 'personal_info');
  await open(page, server, 'apply/renewal/materials');
  await page.getByLabel('选择机动车驾驶证的照片').setInputFiles(photos.heic);
  const licence = page.locator('#material-driving_licence');
  await licence.locator('.uploader__badge', { hasText: '上传成功' }).waitFor({ timeout: 30_000 });
  assert.equal(await page.evaluate(() => window.heicDecoded), 1, 'the browser decoded the HEIC file');
  assert.equal(storedCopies(server), 1);
});

e2e(
  'where the SIMD worker cannot start, the plain one checks the photo',
  async ({ page, server }) => {
    const photos = drawPhotos();
    await logInVerified(page, server, PHONE);
    await prepareDraft(page, server, 'renewal', 'personal_info');
    await page.route('**/photo_worker_simd*', (route) => route.fulfill({ status: 404, body: 'not here' }));
    const fetched = [];
    page.on('request', (request) => /photo_worker/.test(request.url()) && fetched.push(request.url()));
    await open(page, server, 'apply/renewal/materials');
    await page.getByLabel('选择机动车驾驶证的照片').setInputFiles(photos.licence);
    await page.locator('#material-driving_licence .uploader__badge', { hasText: '上传成功' }).waitFor({ timeout: 60_000 });
    assert.ok(fetched.some((url) => /photo_worker_bg\.wasm$/.test(url)), `the plain worker ran: ${fetched}`);
  },
  { allowConsoleErrors: [/404/] },
);

e2e('a photo kept for a material that no longer applies stays on the phone but is not sent', async ({ page, server }) => {
  const photos = drawPhotos();
  await logInVerified(page, server, PHONE);
  await prepareDraft(page, server, 'reissue', 'personal_info', { reason: 'damaged' });
  await open(page, server, 'apply/reissue/materials');
  const damaged = page.locator('#material-damaged_certificate');
  await page.getByLabel('选择损毁的从业资格证的照片').setInputFiles(photos.page);
  await damaged.locator('.uploader__badge', { hasText: '上传成功' }).waitFor({ timeout: 30_000 });

  // The certificate turns out lost, not damaged: its photo is no longer asked for.
  await open(page, server, 'apply/reissue/info');
  await page.getByRole('radio', { name: '遗失' }).check();
  await page.getByRole('button', { name: '下一步' }).click();
  await page.getByRole('heading', { name: '上传申请材料' }).waitFor();
  assert.deepEqual(await uploaderCodes(page), ['photo_2inch', 'driving_licence', 'loss_statement']);
  await page.getByLabel('选择近期二寸正面免冠彩色证件照的照片').setInputFiles(photos.portrait);
  await page.locator('#material-photo_2inch .uploader__badge', { hasText: '上传成功' }).waitFor({ timeout: 30_000 });
  await page.getByLabel('选择机动车驾驶证的照片').setInputFiles(photos.licence);
  await page.locator('#material-driving_licence .uploader__badge', { hasText: '上传成功' }).waitFor({ timeout: 30_000 });
  const sent = [];
  page.on('request', (r) => r.url().endsWith('/api/v1/drafts/reissue') && r.method() === 'PUT' && sent.push(r.postDataJSON()));
  await page.getByRole('button', { name: '下一步' }).click();
  await page.getByRole('heading', { name: '核对信息' }).waitFor();
  assert.deepEqual(Object.keys(sent[0].uploads).sort(), ['driving_licence', 'photo_2inch'], 'the damaged certificate is not sent');
  const draft = await api(page, server, 'GET', '/drafts/reissue');
  assert.deepEqual(Object.keys(draft.uploads).sort(), ['driving_licence', 'photo_2inch']);
  assert.equal(await page.getByText('损毁的从业资格证').count(), 0, 'nor listed on 核对信息');
});

async function waitFor(check, what, timeout = 10_000) {
  const end = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
