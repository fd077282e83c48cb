// The business wizard in a real browser: a reload and the back button at every step lose
// nothing; each validation message; 20 taps on 提交 make one case; drafts resumed and deleted
// from 我的办件; an ended session resumes. Each business's own form, end to end, is in
// businesses.test.mjs.

import assert from 'node:assert/strict';
import {
  agreeToNotice,
  api,
  askForCode,
  chooseFirstCertificate,
  drawPhotos,
  e2e,
  expectAccessible,
  expectNoSidewaysScroll,
  logIn,
  logInVerified,
  open,
  prepareDraft,
  submitFromReview,
  uploadRequired,
} from './harness.mjs';

const PHONE = '13812345678';

/** 换发's form: the 准驾车型 and the first service hall. */
async function fillRenewal(page, { licenceClass = 'A1' } = {}) {
  await page.getByLabel('准驾车型').selectOption(licenceClass);
  await page.getByLabel('服务大厅', { exact: true }).selectOption({ index: 1 });
}

/** Chooses province, city and district of the region picker whose ids start with `prefix`. */
async function chooseRegion(page, prefix = '') {
  await page.locator(`#${prefix}province`).selectOption({ label: '内蒙古自治区' });
  await page.locator(`#${prefix}city`).selectOption({ label: '呼和浩特市' });
  await page.locator(`#${prefix}district`).selectOption({ label: '新城区' });
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
  assert.match(await page.locator('.certificate_disabled .certificate__reason').first().textContent(), /届满|换发须在有效期届满前/);
  await expectAccessible(page);
  await page.getByRole('button', { name: '下一步' }).click();
  await page.getByRole('heading', { name: '填写申请信息' }).waitFor();
  await page.getByText('第 3 步 / 共 6 步').waitFor();
  // The 准驾车型 comes from the certificate.
  assert.equal(await page.getByLabel('准驾车型').inputValue(), 'C1');

  // 填写申请信息: typed but not saved, then reloaded.
  await fillRenewal(page);
  await page.getByLabel('邮寄到家').check();
  await page.locator('#province').selectOption({ label: '内蒙古自治区' });
  await page.locator('#city').selectOption({ label: '呼和浩特市' });
  await page.getByLabel('详细地址').fill('示例路8号3单元');
  await page.reload();
  await page.getByRole('heading', { name: '填写申请信息' }).waitFor();
  assert.equal(await page.locator('#city').inputValue(), '150100', 'the region chosen so far is kept for the tab');
  assert.equal(await page.getByLabel('详细地址').inputValue(), '示例路8号3单元');
  await page.getByLabel('到服务大厅自取').check();
  assert.equal(await page.getByLabel('准驾车型').inputValue(), 'A1');
  assert.notEqual(await page.getByLabel('服务大厅', { exact: true }).inputValue(), '');
  // Back one step and forward again: still there.
  await page.goBack();
  await page.getByRole('heading', { name: '选择从业资格证' }).waitFor();
  await choosable.first().locator('input:checked').waitFor();
  await page.goForward();
  await page.getByRole('heading', { name: '填写申请信息' }).waitFor();
  assert.equal(await page.getByLabel('准驾车型').inputValue(), 'A1');
  await page.getByRole('button', { name: '下一步' }).click();
  await page.getByRole('heading', { name: '上传申请材料' }).waitFor();

  // 上传申请材料: one photo stored, reloaded: shown again from the server.
  await page.getByLabel('选择机动车驾驶证的照片').setInputFiles(photos.licence);
  await page.locator('#material-driving_licence .uploader__badge', { hasText: '上传成功' }).waitFor({ timeout: 30_000 });
  await page.reload();
  await page.locator('#material-driving_licence .uploader__badge', { hasText: '上传成功' }).waitFor();
  await page.locator('#material-driving_licence .uploader__preview').waitFor();
  await page.goBack();
  await page.getByRole('heading', { name: '填写申请信息' }).waitFor();
  await page.goForward();
  await page.locator('#material-driving_licence .uploader__badge', { hasText: '上传成功' }).waitFor();
  await uploadRequired(page, photos);

  // 核对信息: reloaded, and 修改 returns here.
  await page.reload();
  await page.getByRole('heading', { name: '核对信息' }).waitFor();
  const answers = page.locator('section.summary', { hasText: '申请信息' });
  await answers.getByText('A1', { exact: true }).waitFor();
  // Every 修改 is a full-size touch target; no tab bar in the form.
  for (const box of await page.locator('.summary__change').evaluateAll((links) => links.map((a) => a.getBoundingClientRect().toJSON()))) {
    assert.ok(box.width >= 44 && box.height >= 44, `修改 is ${box.width}×${box.height}`);
  }
  assert.ok(await page.locator('.app-tabbar').isHidden(), 'no tab bar in 核对信息');
  await page.getByRole('link', { name: '修改申请信息' }).click();
  await page.getByRole('heading', { name: '填写申请信息' }).waitFor();
  await page.getByLabel('准驾车型').selectOption('B1');
  await page.getByRole('button', { name: '保存并返回核对' }).click();
  await page.getByRole('heading', { name: '核对信息' }).waitFor();
  await answers.getByText('B1', { exact: true }).waitFor();
  await page.goBack();
  await page.getByRole('heading', { name: '填写申请信息' }).waitFor();
  assert.equal(await page.getByLabel('准驾车型').inputValue(), 'B1');
  await page.goForward();
  await page.getByRole('heading', { name: '核对信息' }).waitFor();

  // 提交成功. Back from it says the application went through, with the case.
  const number = await submitFromReview(page);
  await page.goBack();
  await page.getByRole('heading', { name: '这项申请已经提交' }).waitFor();
  await page.getByText(number).waitFor();
  assert.equal(await page.getByText('请按顺序办理').count(), 0);
  await page.goForward();
  await page.getByRole('heading', { name: '申请已提交' }).waitFor();
  // A reload still shows the case, and so does 核对信息 reloaded after 提交 (the tab has
  // forgotten it; the server's cases say it).
  await page.reload();
  await page.getByText(number).waitFor();
  await page.goBack();
  await page.getByRole('heading', { name: '这项申请已经提交' }).waitFor();
  await page.reload();
  await page.getByRole('heading', { name: '这项申请已经提交' }).waitFor();
  await page.getByText(number).waitFor();
  assert.equal(await page.getByText('请按顺序办理').count(), 0);
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

  // Nothing ticked and the contact emptied: each says what to do, in the order of the form.
  await page.locator('#contact_name').fill('');
  await page.locator('#contact_phone').fill('');
  await page.getByRole('button', { name: '下一步' }).click();
  const expected = {
    changes: '请至少勾选一项变更事项。',
    reason: '请填写变更原因。',
    contact_name: '请填写联系人。',
    contact_phone: '请填写联系电话。',
  };
  for (const [field, message] of Object.entries(expected)) {
    await summary.getByRole('link', { name: message }).waitFor();
    await page.locator(`#${field}-error`).getByText(message).waitFor();
  }
  await expectAccessible(page);
  await summary.getByRole('link', { name: '请至少勾选一项变更事项。' }).click();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'changes', 'the link lands on the first box');

  // Ticked, and wrong rather than missing: each new value beside the certificate's own.
  await page.getByRole('checkbox', { name: '住址' }).check();
  await page.getByRole('checkbox', { name: '联系电话' }).check();
  await page.getByRole('checkbox', { name: '服务单位' }).check();
  await page.getByText('现联系电话').waitFor();
  await page.locator('#change_address_province').selectOption({ label: '内蒙古自治区' });
  await page.getByLabel('新联系电话').fill(PHONE);
  await page.getByLabel('新服务单位').fill('某公司');
  await page.getByLabel('变更原因').fill('字'.repeat(201));
  await page.locator('#contact_name').fill('王');
  await page.locator('#contact_phone').fill('1381234');
  await page.getByRole('button', { name: '下一步' }).click();
  for (const [field, message] of [
    ['change_address_city', '请选择城市。'],
    ['change_address_street', '请填写新住址的详细地址。'],
    ['change_phone', '新联系电话与证上现有的相同，无需变更；请填写新的联系电话或取消勾选此项。'],
    ['change_employer', '新服务单位名称至少4个字，请补充完整。'],
    ['reason', '变更原因最多200个字，您填写了201个字，请精简。'],
    ['contact_name', '联系人至少2个字，请补充完整。'],
    ['contact_phone', '联系电话应为11位手机号码，如 13812345678，请核对后重新填写。'],
  ]) {
    await summary.getByText(message).waitFor();
    await page.locator(`#${field}-error`).getByText(message).waitFor();
  }
  await page.getByText('201/200').waitFor();
  await expectNoSidewaysScroll(page);
  // Nothing typed was lost on the way; an unticked item keeps its value and is no longer checked.
  assert.equal(await page.locator('#contact_name').inputValue(), '王');
  await page.getByRole('checkbox', { name: '住址' }).uncheck();
  await page.getByRole('checkbox', { name: '住址' }).check();
  assert.equal(await page.locator('#change_address_province').inputValue(), '150000');
  await page.getByRole('checkbox', { name: '住址' }).uncheck();
  await page.getByLabel('新联系电话').fill('13900001111');
  await page.getByLabel('新服务单位').fill('呼和浩特市新出租汽车有限公司');
  await page.getByLabel('变更原因').fill('换了服务单位和手机号');
  await page.locator('#contact_name').fill('王建国');
  await page.locator('#contact_phone').fill(PHONE);

  // The server is the authority: a refusal it alone can make shows at its field too.
  await page.route('**/api/v1/drafts/change', (route) =>
    route.request().method() === 'PUT'
      ? route.fulfill({
          status: 400,
          contentType: 'application/json',
          body: JSON.stringify({ code: 'invalid_field', message: '新服务单位未在本市备案，请核对名称后重新填写。', field: 'change_employer' }),
        })
      : route.continue(),
  );
  await page.getByRole('button', { name: '下一步' }).click();
  await page.locator('#change_employer-error').getByText('新服务单位未在本市备案，请核对名称后重新填写。').waitFor();
  await page.unroute('**/api/v1/drafts/change');

  // A step opened before the one it needs sends the user there.
  await open(page, server, 'apply/change/review');
  await page.getByText('请先填写申请信息。').waitFor();
  await page.getByRole('link', { name: '前往“填写申请信息”' }).click();
  // The answers kept for the tab come back; saved, the materials follow them: the
  // certificate's page and the employer's proof, not the address proof of the unticked 住址.
  await page.getByRole('button', { name: '下一步' }).click();
  await page.getByRole('heading', { name: '上传申请材料' }).waitFor();
  await page.getByText('还有2项必传材料未上传成功。').waitFor();
  assert.equal(await page.locator('#material-employment_proof').count(), 1);
  assert.equal(await page.locator('#material-change_proof').count(), 0);
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
  await page.getByText('下一步：填写申请信息').waitFor();
  await page.getByRole('link', { name: '继续办理' }).click();
  await page.getByRole('heading', { name: '填写申请信息' }).waitFor();
});

e2e('an ended session asks to log in again and resumes where the user was', async ({ page, server, context }) => {
  await logInVerified(page, server, PHONE);
  await prepareDraft(page, server, 'renewal', 'certificate');
  await open(page, server, 'apply/renewal/info');
  await fillRenewal(page, { licenceClass: 'B2' });
  await context.clearCookies();
  await page.getByRole('button', { name: '下一步' }).click();
  await page.getByRole('heading', { name: '请先登录' }).waitFor();
  await page.getByRole('link', { name: '去登录' }).click();
  // A new code only once the last one's 60-second countdown has run out.
  await page.getByRole('button', { name: '获取验证码' }).waitFor({ timeout: 75_000 });
  await page.getByLabel('验证码').fill(await askForCode(page, server, PHONE));
  await page.getByRole('button', { name: '提交验证' }).click();
  await page.getByRole('heading', { name: '填写申请信息' }).waitFor();
  assert.equal(await page.getByLabel('准驾车型').inputValue(), 'B2');
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
  await prepareDraft(page, server, 'change', 'certificate');
  await open(page, server, 'apply/change/info');
  await page.getByRole('checkbox', { name: '住址' }).check();
  await chooseRegion(page, 'change_address_');
  await page.getByLabel('新详细地址').fill('示例街9号2单元');
  await page.getByRole('checkbox', { name: '服务单位' }).check();
  await page.getByLabel('新服务单位').fill('呼和浩特市新出租汽车有限公司');
  await page.getByLabel('变更原因').fill('关闭页面前填写的原因');
  await page.locator('#contact_name').fill('李四');
  const stored = await page.evaluate(() => JSON.stringify(localStorage));
  // Free text may hold personal details too: 变更原因 is kept for the tab only.
  for (const personal of ['示例街9号', '150102', '新出租汽车', PHONE, '李四', '关闭页面前填写的原因']) {
    assert.ok(!stored.includes(personal), `${personal} is not in local storage`);
  }
  // The view is killed: its tab storage goes with it.
  await page.close();
  const again = await context.newPage();
  await open(again, server, 'apply/change/info');
  await again.getByRole('heading', { name: '填写申请信息' }).waitFor();
  assert.ok(await again.getByRole('checkbox', { name: '住址' }).isChecked(), 'which items are ticked is kept');
  // Nothing was saved on the server: the personal details come back from the profile, not from the phone.
  assert.equal(await again.getByLabel('变更原因').inputValue(), '');
  assert.equal(await again.getByLabel('新详细地址').inputValue(), '');
  assert.equal(await again.getByLabel('新服务单位').inputValue(), '');
  assert.equal(await again.locator('#contact_phone').inputValue(), PHONE);
  assert.notEqual(await again.locator('#contact_name').inputValue(), '李四');
});

e2e('a 变更 saved and then reopened in a new WeChat view shows on 核对信息 and 修改 what the server holds', async ({ page, server, context }) => {
  const photos = drawPhotos();
  await logInVerified(page, server, PHONE);
  await prepareDraft(page, server, 'change', 'certificate');
  await open(page, server, 'apply/change/info');
  await page.getByRole('checkbox', { name: '联系电话' }).check();
  await page.getByRole('checkbox', { name: '服务单位' }).check();
  // At 320 px every text field is a box with a hint inside, not a label beside empty space.
  await page.setViewportSize({ width: 320, height: 720 });
  for (const [label, hint] of [['新联系电话', '如 13812345678'], ['新服务单位', '请输入新服务单位'], ['变更原因', '请输入变更原因']]) {
    const field = page.getByLabel(label);
    assert.equal(await field.getAttribute('placeholder'), hint);
    const look = await field.evaluate((el) => {
      const style = getComputedStyle(el);
      return { border: parseFloat(style.borderTopWidth), colour: style.borderTopColor, height: el.getBoundingClientRect().height };
    });
    assert.ok(look.border >= 1 && !/rgba\(0, 0, 0, 0\)|transparent/.test(look.colour), `${label} has a visible border: ${JSON.stringify(look)}`);
    assert.ok(look.height >= 44, `${label} is finger-sized: ${look.height} px`);
  }
  await expectNoSidewaysScroll(page);
  await page.getByLabel('新联系电话').fill('13500008881');
  await page.getByLabel('新服务单位').fill('呼和浩特市新出租汽车有限公司');
  await page.getByLabel('变更原因').fill('搬家并更换服务单位');
  const contactName = await page.locator('#contact_name').inputValue();
  assert.notEqual(contactName, '', 'the contact is filled from the profile');
  await page.getByRole('button', { name: '下一步' }).click();
  await page.getByRole('heading', { name: '上传申请材料' }).waitFor();
  await uploadRequired(page, photos);

  // The WeChat view is closed and opened again: the phone's copy is there, the tab's is not.
  await page.close();
  const again = await context.newPage();
  await again.setViewportSize({ width: 320, height: 720 });
  await open(again, server, 'cases');
  assert.equal(await again.evaluate(() => sessionStorage.getItem('taxicert.draft.change.personal')), null, 'a new tab');
  assert.ok(await again.evaluate(() => localStorage.getItem('taxicert.draft.change')), 'the phone kept its copy');
  await again.getByRole('link', { name: '继续办理' }).click();
  await again.getByRole('heading', { name: '核对信息' }).waitFor();
  const answers = again.locator('section.summary', { has: again.getByRole('heading', { name: '申请信息' }) });
  const value = (label) =>
    answers.locator('.summary__row', { has: again.locator('.summary__key', { hasText: new RegExp(`^${label}$`) }) }).locator('.summary__value');
  await value('服务单位').getByText(/→ 呼和浩特市新出租汽车有限公司$/).waitFor();
  assert.match(await value('联系电话').first().textContent(), /→ 13500008881$/);
  assert.equal(await value('联系电话').last().textContent(), PHONE);
  assert.equal(await value('联系人').textContent(), contactName);
  assert.equal(await value('变更原因').textContent(), '搬家并更换服务单位');
  await expectAccessible(again);

  // 修改 shows the same answers in the form.
  await again.getByRole('link', { name: '修改申请信息' }).click();
  await again.getByRole('heading', { name: '填写申请信息' }).waitFor();
  assert.equal(await again.getByLabel('新联系电话').inputValue(), '13500008881');
  assert.equal(await again.getByLabel('新服务单位').inputValue(), '呼和浩特市新出租汽车有限公司');
  assert.equal(await again.getByLabel('变更原因').inputValue(), '搬家并更换服务单位');
  assert.equal(await again.locator('#contact_name').inputValue(), contactName);
  assert.equal(await again.locator('#contact_phone').inputValue(), PHONE);
  const stored = await again.evaluate(() => JSON.stringify(localStorage));
  for (const personal of ['13500008881', '新出租汽车', '搬家并更换服务单位', contactName]) {
    assert.ok(!stored.includes(personal), `${personal} is not in local storage`);
  }
});

e2e('a certificate that can no longer be chosen sends the driver back to choose again', async ({ page, server }) => {
  await logInVerified(page, server, PHONE);
  await prepareDraft(page, server, 'renewal', 'certificate');
  // Meanwhile (another phone, a clerk) the certificate became unavailable for this business.
  await page.route('**/api/v1/certificates?business=renewal', async (route) => {
    const list = await (await route.fetch()).json();
    for (const c of list) c.unavailable_reason ??= '这张从业资格证已有一件换发申请正在办理，请在“我的办件”中查看。';
    await route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(list) });
  });
  await open(page, server, 'apply/renewal/info');
  await page.getByRole('heading', { name: '所选从业资格证现在不能办理这项业务' }).waitFor();
  await expectAccessible(page);
  await page.getByRole('link', { name: '返回选择从业资格证' }).click();
  await page.getByRole('heading', { name: '选择从业资格证' }).waitFor();
  await page.locator('.certificate__reason', { hasText: '已有一件换发申请正在办理' }).first().waitFor();
});

e2e('an answer changed from 核对信息 that asks for another material goes to the materials first', async ({ page, server }) => {
  const photos = drawPhotos();
  await logInVerified(page, server, PHONE);
  await prepareDraft(page, server, 'reissue', 'personal_info', { reason: 'lost' });
  await open(page, server, 'apply/reissue/materials');
  await uploadRequired(page, photos);
  await page.getByRole('link', { name: '修改申请信息' }).click();
  await page.getByRole('radio', { name: '损毁' }).check();
  await page.getByRole('button', { name: '保存并返回核对' }).click();
  await page.getByRole('heading', { name: '上传申请材料' }).waitFor();
  await page.getByText('还有1项必传材料未上传成功。').waitFor();
  await page.getByLabel('选择损毁的从业资格证的照片').setInputFiles(photos.page);
  await page.locator('#material-damaged_certificate .uploader__badge', { hasText: '上传成功' }).waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: '下一步' }).click();
  await page.getByRole('heading', { name: '核对信息' }).waitFor();
  await page.locator('.summary__row', { hasText: '补发原因' }).getByText('损毁').waitFor();
  await page.getByRole('img', { name: '已上传的损毁的从业资格证' }).waitFor();
});
