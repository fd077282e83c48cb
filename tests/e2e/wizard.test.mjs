// The business wizard in a real browser: each of the five businesses from its notice to 提交成功;
// a reload and the back button at every step lose nothing; each validation message; 20 taps
// on 提交 make one case; drafts resumed and deleted from 我的办件; an ended session resumes.

import assert from 'node:assert/strict';
import { api, askForCode, drawPhotos, e2e, expectAccessible, logIn, logInVerified, open, prepareDraft } from './harness.mjs';

const PHONE = '13812345678';

// The photo each material is photographed with.
const PHOTO_FOR = { photo_2inch: 'portrait', driving_licence: 'licence' };

/** On the notice: scrolls the notice box to its end, then 同意并确认. */
async function agreeToNotice(page) {
  const agree = page.getByRole('button', { name: '同意并确认' });
  await page.locator('.notice').evaluate((box) => (box.scrollTop = box.scrollHeight));
  await agree.and(page.locator(':enabled')).waitFor();
  await agree.click();
  await page.getByRole('heading', { name: '选择从业资格证' }).waitFor();
}

async function chooseFirstCertificate(page) {
  await page.locator('.certificate:not(.certificate_disabled)').first().click();
  await page.getByRole('button', { name: '下一步' }).click();
  await page.getByRole('heading', { name: '完善个人信息' }).waitFor();
}

async function fillInfo(page, { reason = '证件即将到期,申请办理' } = {}) {
  await page.getByLabel('准驾车型').selectOption('A1');
  await page.getByLabel('申请原因').fill(reason);
  await page.getByLabel('服务大厅', { exact: true }).selectOption({ index: 1 });
}

/** Uploads every required material of the step shown, and 下一步. */
async function uploadRequired(page, photos) {
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

async function submit(page) {
  await page.getByRole('button', { name: '提交' }).click();
  await page.getByRole('heading', { name: '申请已提交' }).waitFor();
  return (await page.locator('.submitted__number').textContent()).trim();
}

for (const [business, name] of [
  ['reissue', '从业资格证补发'],
  ['renewal', '从业资格证换发'],
  ['change', '从业资格证变更'],
  ['cancellation', '从业资格证注销'],
  ['credit_assessment', '服务质量信誉考核'],
]) {
  e2e(`${name}: from the service list through every step to 提交成功`, async ({ page, server }) => {
    const photos = drawPhotos();
    await logInVerified(page, server, PHONE);
    await open(page, server, '');
    await page.getByRole('link', { name: new RegExp(name) }).click();
    await page.getByText('第 1 步 / 共 6 步').waitFor();
    assert.ok(await page.getByRole('button', { name: '同意并确认' }).isDisabled(), 'enabled only once the notice is read');
    await agreeToNotice(page);
    await page.getByText('第 2 步 / 共 6 步').waitFor();
    await chooseFirstCertificate(page);
    // The name is shown, not editable; the phone is prefilled from the account.
    assert.equal(await page.getByLabel('联系电话').inputValue(), PHONE);
    await fillInfo(page);
    await page.getByRole('button', { name: '下一步' }).click();
    await page.getByRole('heading', { name: '上传申请材料' }).waitFor();
    await uploadRequired(page, photos);
    await page.getByText('A1').waitFor();
    await expectAccessible(page);
    const number = await submit(page);
    assert.match(number, /^TC\d{14}$/);
    await page.getByText(/受理时限/).waitFor();
    await expectAccessible(page);
    const cases = await api(page, server, 'GET', '/cases');
    assert.deepEqual(cases.map((c) => [c.id, c.business]), [[number, business]]);
    assert.deepEqual(await api(page, server, 'GET', '/drafts'), [], 'the draft is gone once submitted');
  });
}

e2e('a reload at every step and the back button at every step lose nothing', async ({ page, server }) => {
  const photos = drawPhotos();
  await logInVerified(page, server, PHONE);
  await open(page, server, 'apply/renewal');
  await agreeToNotice(page);

  // 选择从业资格证: chosen, reloaded, still chosen.
  const choosable = page.locator('.certificate:not(.certificate_disabled)');
  await choosable.first().click();
  await page.reload();
  await choosable.first().locator('input:checked').waitFor();
  // Disabled certificates say why.
  await page.locator('.certificate_disabled .certificate__reason').first().waitFor();
  assert.match(await page.locator('.certificate_disabled .certificate__reason').first().textContent(), /已过期|换发须在有效期届满前/);
  await expectAccessible(page);
  await page.getByRole('button', { name: '下一步' }).click();
  await page.getByRole('heading', { name: '完善个人信息' }).waitFor();

  // 完善个人信息: typed but not saved, then reloaded.
  await fillInfo(page, { reason: '有效期将满,申请换发' });
  await page.getByLabel('住址').fill('内蒙古呼和浩特市新城区示例路8号');
  await page.getByLabel('邮寄到家').check();
  await page.getByLabel('城市').fill('呼和浩特市');
  await page.reload();
  await page.getByRole('heading', { name: '完善个人信息' }).waitFor();
  assert.equal(await page.getByLabel('城市').inputValue(), '呼和浩特市');
  assert.equal(await page.getByLabel('住址').inputValue(), '内蒙古呼和浩特市新城区示例路8号');
  await page.getByLabel('到服务大厅自取').check();
  assert.equal(await page.getByLabel('申请原因').inputValue(), '有效期将满,申请换发');
  assert.equal(await page.getByLabel('准驾车型').inputValue(), 'A1');
  assert.notEqual(await page.getByLabel('服务大厅', { exact: true }).inputValue(), '');
  // Back one step and forward again: still there.
  await page.goBack();
  await page.getByRole('heading', { name: '选择从业资格证' }).waitFor();
  await choosable.first().locator('input:checked').waitFor();
  await page.goForward();
  assert.equal(await page.getByLabel('申请原因').inputValue(), '有效期将满,申请换发');
  await page.getByRole('button', { name: '下一步' }).click();
  await page.getByRole('heading', { name: '上传申请材料' }).waitFor();

  // 上传申请材料: one photo stored, reloaded: shown again from the server.
  await page.getByLabel('选择机动车驾驶证的照片').setInputFiles(photos.licence);
  await page.locator('#material-driving_licence .uploader__badge', { hasText: '上传成功' }).waitFor({ timeout: 30_000 });
  await page.reload();
  await page.locator('#material-driving_licence .uploader__badge', { hasText: '上传成功' }).waitFor();
  await page.locator('#material-driving_licence .uploader__preview').waitFor();
  await page.goBack();
  await page.getByRole('heading', { name: '完善个人信息' }).waitFor();
  await page.goForward();
  await page.locator('#material-driving_licence .uploader__badge', { hasText: '上传成功' }).waitFor();
  await uploadRequired(page, photos);

  // 核对信息: reloaded, and 修改 returns here.
  await page.reload();
  await page.getByRole('heading', { name: '核对信息' }).waitFor();
  await page.getByText('有效期将满,申请换发').waitFor();
  await page.getByRole('link', { name: '修改个人信息' }).click();
  await page.getByRole('heading', { name: '完善个人信息' }).waitFor();
  await page.getByLabel('申请原因').fill('有效期将满,申请换发新证');
  await page.getByRole('button', { name: '保存并返回核对' }).click();
  await page.getByRole('heading', { name: '核对信息' }).waitFor();
  await page.getByText('有效期将满,申请换发新证').waitFor();
  await page.goBack();
  await page.getByRole('heading', { name: '完善个人信息' }).waitFor();
  assert.equal(await page.getByLabel('申请原因').inputValue(), '有效期将满,申请换发新证');
  await page.goForward();
  await page.getByRole('heading', { name: '核对信息' }).waitFor();

  // 提交成功: a reload still shows the case.
  const number = await submit(page);
  await page.reload();
  await page.getByText(number).waitFor();
});

e2e('each validation message shows in the summary and at its field, and the summary links there', async ({ page, server }) => {
  await logInVerified(page, server, PHONE);
  await prepareDraft(page, server, 'change', 'notice');
  await open(page, server, 'apply/change/certificate');
  await page.getByRole('button', { name: '下一步' }).click();
  const summary = page.locator('.error-summary');
  await summary.getByText('请选择要办理的从业资格证。').waitFor();
  assert.equal(await summary.evaluate((el) => el === document.activeElement), true, 'the summary takes focus');
  await page.locator('#certificate-error').getByText('请选择要办理的从业资格证。').waitFor();
  await chooseFirstCertificate(page);

  // Every field emptied: each says what to fill, in the order of the form.
  for (const label of ['申请原因', '住址', '联系人', '联系电话']) await page.getByLabel(label).fill('');
  await page.getByRole('button', { name: '下一步' }).click();
  const expected = {
    licence_class: '请选择准驾车型。',
    reason: '请填写申请原因。',
    address: '请填写住址。',
    contact_name: '请填写联系人。',
    contact_phone: '请填写联系电话。',
    hall: '请选择领取证件的服务大厅。',
  };
  for (const [field, message] of Object.entries(expected)) {
    await summary.getByRole('link', { name: message }).waitFor();
    await page.locator(`#${field}-error`).getByText(message).waitFor();
  }
  await expectAccessible(page);
  await summary.getByRole('link', { name: '请填写联系电话。' }).click();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'contact_phone');

  // Wrong rather than missing.
  await page.getByLabel('准驾车型').selectOption('C1');
  await page.getByLabel('申请原因').fill('换');
  await page.getByLabel('住址').fill('示例路');
  await page.getByLabel('联系人').fill('王');
  await page.getByLabel('联系电话').fill('1381234');
  await page.getByLabel('邮寄到家').check();
  await page.getByLabel('收件人', { exact: true }).fill('');
  await page.getByLabel('收件人电话').fill('2');
  await page.getByRole('button', { name: '下一步' }).click();
  for (const message of [
    '申请原因至少2个字,请补充完整。',
    '住址至少5个字,请补充完整。',
    '联系人至少2个字,请补充完整。',
    '联系电话应为11位手机号码,如 13812345678,请核对后重新填写。',
    '请填写收件人。',
    '收件人电话应为11位手机号码,如 13812345678,请核对后重新填写。',
    '请选择省份。',
    '请填写城市。',
    '请填写区县。',
    '请填写详细地址。',
  ]) {
    await summary.getByText(message).waitFor();
  }
  await page.getByLabel('申请原因').fill('字'.repeat(201));
  await page.getByRole('button', { name: '下一步' }).click();
  await summary.getByText('申请原因最多200个字,您填写了201个字,请精简。').waitFor();
  await page.getByText('201/200').waitFor();
  // Nothing typed was lost on the way.
  assert.equal(await page.getByLabel('联系人').inputValue(), '王');

  // The server is the authority: a refusal it alone can make shows at its field too.
  await page.route('**/api/v1/drafts/change', (route) =>
    route.request().method() === 'PUT'
      ? route.fulfill({
          status: 400,
          contentType: 'application/json',
          body: JSON.stringify({ code: 'invalid_field', message: '所选服务大厅已停止办理,请重新选择。', field: 'hall' }),
        })
      : route.continue(),
  );
  await page.getByLabel('到服务大厅自取').check();
  await page.getByLabel('服务大厅', { exact: true }).selectOption({ index: 1 });
  await page.getByLabel('申请原因').fill('信息变更');
  await page.getByLabel('住址').fill('内蒙古呼和浩特市新城区示例路8号');
  await page.getByLabel('联系人').fill('王建国');
  await page.getByLabel('联系电话').fill(PHONE);
  await page.getByRole('button', { name: '下一步' }).click();
  await page.locator('#hall-error').getByText('所选服务大厅已停止办理,请重新选择。').waitFor();
  await page.unroute('**/api/v1/drafts/change');

  // A step opened before the one it needs sends the user there.
  await open(page, server, 'apply/change/review');
  await page.getByText('请先完善个人信息。').waitFor();
  await page.getByRole('link', { name: '前往“完善个人信息”' }).click();
  await page.getByRole('button', { name: '下一步' }).click();
  await page.getByText('还有4项必传材料未上传成功。').waitFor();
  assert.ok(await page.getByRole('button', { name: '下一步' }).isDisabled());
  await open(page, server, 'apply/change/review');
  await page.getByText('请先上传全部必传材料。').waitFor();
}, { allowConsoleErrors: [/status of 400/] });

e2e('twenty rapid taps on 提交 make one case', async ({ page, server }) => {
  const photos = drawPhotos();
  await logInVerified(page, server, PHONE);
  await prepareDraft(page, server, 'cancellation', 'personal_info');
  await open(page, server, 'apply/cancellation/materials');
  await uploadRequired(page, photos);
  const posts = [];
  page.on('request', (r) => r.url().endsWith('/api/v1/cases') && r.method() === 'POST' && posts.push(r.headers()['idempotency-key']));
  // Slow answers, so that the taps land while the first is on its way.
  await page.route('**/api/v1/cases', async (route) => {
    await new Promise((r) => setTimeout(r, 800));
    await route.continue();
  });
  const button = page.getByRole('button', { name: '提交' });
  await button.evaluate((element) => {
    for (let i = 0; i < 20; i += 1) element.click();
  });
  await page.getByRole('heading', { name: '申请已提交' }).waitFor();
  assert.equal(new Set(posts).size, 1, 'one idempotency key');
  assert.equal((await api(page, server, 'GET', '/cases')).length, 1, 'one case');
});

e2e('drafts are listed in 我的办件, to resume or delete', async ({ page, server }) => {
  await logInVerified(page, server, PHONE);
  await prepareDraft(page, server, 'renewal', 'certificate');
  await prepareDraft(page, server, 'reissue', 'notice');
  await open(page, server, 'cases');
  await page.getByText('从业资格证换发').waitFor();
  await expectAccessible(page);
  page.once('dialog', (dialog) => dialog.accept());
  await page.getByRole('button', { name: '删除从业资格证补发草稿' }).click();
  await page.getByRole('button', { name: '删除从业资格证补发草稿' }).waitFor({ state: 'detached' });
  assert.deepEqual((await api(page, server, 'GET', '/drafts')).map((d) => d.business), ['renewal']);
  await page.getByRole('link', { name: '继续办理' }).click();
  await page.getByRole('heading', { name: '完善个人信息' }).waitFor();
});

e2e('an ended session asks to log in again and resumes where the user was', async ({ page, server, context }) => {
  await logInVerified(page, server, PHONE);
  await prepareDraft(page, server, 'renewal', 'certificate');
  await open(page, server, 'apply/renewal/info');
  await fillInfo(page, { reason: '登录失效前填写的原因' });
  await context.clearCookies();
  await page.getByRole('button', { name: '下一步' }).click();
  await page.getByRole('heading', { name: '请先登录' }).waitFor();
  await page.getByRole('link', { name: '去登录' }).click();
  // A new code only once the last one's 60-second countdown has run out.
  await page.getByRole('button', { name: '获取验证码' }).waitFor({ timeout: 75_000 });
  await page.getByLabel('验证码').fill(await askForCode(page, server, PHONE));
  await page.getByRole('button', { name: '提交验证' }).click();
  await page.getByRole('heading', { name: '完善个人信息' }).waitFor();
  assert.equal(await page.getByLabel('申请原因').inputValue(), '登录失效前填写的原因');
  // And the step saves now.
  await page.getByRole('button', { name: '下一步' }).click();
  await page.getByRole('heading', { name: '上传申请材料' }).waitFor();
}, { allowConsoleErrors: [/status of 401/] });

e2e(
  'with no certificate linked to the ID number, the step says what the driver can do',
  async ({ page, server }) => {
    await logInVerified(page, server, PHONE);
    await prepareDraft(page, server, 'renewal', 'notice');
    await open(page, server, 'apply/renewal/certificate');
    await page.getByRole('heading', { name: '未查询到您的从业资格证' }).waitFor();
    await page.getByText(/携带身份证和从业资格证到当地道路运输服务大厅/).waitFor();
    await expectAccessible(page);
  },
  { server: { env: { TAXICERT_DEMO_CERTIFICATES: 'false' } } },
);

e2e('a driver not verified yet reads the notice, agrees, and is sent to 实名认证', async ({ page, server }) => {
  await logIn(page, server, PHONE);
  await open(page, server, 'apply/credit_assessment');
  await agreeToNotice(page);
  await page.getByRole('heading', { name: '请先完成实名认证' }).waitFor();
});

e2e('a closed WeChat view resumes the answers kept on the phone, and no personal detail is kept there for good', async ({ page, server, context }) => {
  await logInVerified(page, server, PHONE);
  await prepareDraft(page, server, 'renewal', 'certificate');
  await open(page, server, 'apply/renewal/info');
  await fillInfo(page, { reason: '关闭页面前填写的原因' });
  await page.getByLabel('住址').fill('内蒙古包头市昆都仑区示例街9号');
  const stored = await page.evaluate(() => JSON.stringify(localStorage));
  assert.match(stored, /关闭页面前填写的原因/);
  for (const personal of ['示例街9号', PHONE, '王建国']) assert.ok(!stored.includes(personal), `${personal} is not in local storage`);
  // The view is killed: its tab storage goes with it.
  await page.close();
  const again = await context.newPage();
  await open(again, server, 'apply/renewal/info');
  await again.getByRole('heading', { name: '完善个人信息' }).waitFor();
  assert.equal(await again.getByLabel('申请原因').inputValue(), '关闭页面前填写的原因');
  assert.equal(await again.getByLabel('准驾车型').inputValue(), 'A1');
  // The personal details come back from the profile, not from the phone.
  assert.notEqual(await again.getByLabel('住址').inputValue(), '内蒙古包头市昆都仑区示例街9号');
  assert.equal(await again.getByLabel('联系电话').inputValue(), PHONE);
});
