// 上传申请材料 in a real browser: photos picked through the real file input, checked and
// shrunk by the photo worker, sent with progress, 上传成功 once stored; refusals that say what
// to do; a lost answer retried with one stored copy.

import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { drawPhotos, e2e, expectAccessible, logInVerified, open, prepareDraft } from './harness.mjs';

const PHONE = '13812345678';

const storedCopies = (server) => readdirSync(server.uploadDir).filter((name) => !name.endsWith('.partial')).length;

e2e('a verified driver uploads every renewal material and sees the preview, the progress and 上传成功', async ({ page, server, context }) => {
  const photos = drawPhotos();
  await logInVerified(page, server, PHONE);
  await prepareDraft(page, server, 'renewal', 'personal_info');
  // The worker's code is not part of the first screen.
  const workerFetches = [];
  page.on('request', (request) => /photo_worker/.test(request.url()) && workerFetches.push(request.url()));
  await open(page, server, 'apply/renewal/materials');
  await page.getByRole('heading', { name: '近期二寸正面免冠彩色证件照' }).waitFor();
  assert.equal(workerFetches.length, 0, 'the worker is loaded only when a photo is picked');
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
  assert.ok(workerFetches.length > 0, 'the first photo started the worker');
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

  // Leaving the step and coming back keeps every photo.
  await page.getByRole('link', { name: '首页' }).click();
  await page.getByRole('heading', { name: '服务事项' }).waitFor();
  await page.goBack();
  await page.locator('#material-photo_2inch .uploader__badge', { hasText: '上传成功' }).waitFor();
  assert.equal(await page.locator('.uploader__badge').count(), 4);

  // Delete takes the photo off the server too.
  await page.locator('#material-cert_violation_page').getByRole('button', { name: '删除' }).click();
  await page.getByText('还有1项必传材料未上传成功。').waitFor();
  await waitFor(() => storedCopies(server) === 3, 'the deleted photo is gone from the server');
});

e2e('a photo the phone refuses says why and what to do, and the photo before it stays', async ({ page, server }) => {
  const photos = drawPhotos();
  await logInVerified(page, server, PHONE);
  await prepareDraft(page, server, 'renewal', 'personal_info');
  await open(page, server, 'apply/renewal/materials');
  const page1 = page.locator('#material-cert_info_page');
  await page.getByLabel('选择从业资格证个人信息页的照片').setInputFiles(photos.page);
  await page1.locator('.uploader__badge', { hasText: '上传成功' }).waitFor({ timeout: 30_000 });

  await page.getByLabel('选择从业资格证个人信息页的照片').setInputFiles(photos.blurry);
  await page1.getByRole('alert').getByText(/拍摄模糊,请对焦后重拍/).waitFor({ timeout: 30_000 });
  assert.equal(await page1.locator('.uploader__badge', { hasText: '上传成功' }).count(), 1, 'the stored photo stays');

  await page.getByLabel('选择从业资格证个人信息页的照片').setInputFiles(photos.heic);
  await page1.getByRole('alert').getByText(/HEIC格式.*兼容性最佳/).waitFor();

  // A portrait that is a document page: the wrong shape for a 2-inch photo.
  await page.getByLabel('选择近期二寸正面免冠彩色证件照的照片').setInputFiles(photos.page);
  await page.locator('#material-photo_2inch').getByRole('alert').getByText(/二寸照应为竖版、宽高比约35:49/).waitFor({ timeout: 30_000 });
  await expectAccessible(page);
  assert.equal(storedCopies(server), 1);
});

e2e(
  'an answer lost on the network is retried by itself with the same key, and one copy is stored',
  async ({ page, server }) => {
    const photos = drawPhotos();
    await logInVerified(page, server, PHONE);
    await prepareDraft(page, server, 'renewal', 'personal_info');
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

async function waitFor(check, what, timeout = 10_000) {
  const end = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
