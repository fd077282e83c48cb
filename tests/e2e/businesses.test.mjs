// The five businesses in a real browser, each through the driver's UI with its own form, from
// the service list to 提交成功 and the case page: 补发 (the damaged certificate's photo asked
// for only after 损毁), 换发 (the late notice, a postal address chosen province → city →
// district), 变更 (住址 and 服务单位, old → new, the materials following), 注销 (no delivery),
// 考核 (the period). And one application per certificate: an open renewal's case is linked
// on the certificate step, and a 409 at submission names the case to follow.

import assert from 'node:assert/strict';
import {
  agreeToNotice,
  api,
  chooseFirstCertificate,
  clerkBrowser,
  drawPhotos,
  e2e,
  expectAccessible,
  expectNoSidewaysScroll,
  logInVerified,
  open,
  prepareDraft,
  submitCase,
  submitFromReview,
  uploadRequired,
  uploaderCodes,
} from './harness.mjs';

const PHONE = '13812345678';

/** From the service list: the business's notice, agreed to, and its certificate step. */
async function startFromServiceList(page, server, name, { needs = [] } = {}) {
  await open(page, server, '');
  await page.getByRole('link', { name: new RegExp(name) }).click();
  await page.getByText('第 1 步 / 共 6 步').waitFor();
  // The notice says which materials follow which answers.
  for (const need of needs) await page.locator('.material-list__need', { hasText: need }).first().waitFor();
  await agreeToNotice(page);
  await page.getByText('第 2 步 / 共 6 步').waitFor();
}

/** From 提交成功 to the case page, through 我的办件. */
async function openCase(page, number) {
  await page.getByRole('link', { name: '查看我的办件' }).click();
  await page.getByRole('link', { name: new RegExp(number) }).click();
  await page.getByRole('heading', { name: '办件详情' }).waitFor();
  await page.getByText(number).first().waitFor();
}

/** The value of the row labelled `label` in the case page's 申请内容 (or any summary). */
function answer(page, label) {
  return page.locator('.summary__row', { has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) }).locator('dd');
}

async function next(page, heading) {
  await page.getByRole('button', { name: '下一步' }).click();
  await page.getByRole('heading', { name: heading }).waitFor();
}

e2e('补发: the reason decides the materials — the damaged certificate only after 损毁', async ({ page, server }) => {
  const photos = drawPhotos();
  await logInVerified(page, server, PHONE);
  await startFromServiceList(page, server, '从业资格证补发', { needs: ['损毁时必传', '遗失时选传'] });
  await chooseFirstCertificate(page);
  // No 准驾车型 to give; the reason must be chosen.
  assert.equal(await page.getByLabel('准驾车型').count(), 0);
  await page.getByLabel('服务大厅', { exact: true }).selectOption({ index: 1 });
  await page.getByRole('button', { name: '下一步' }).click();
  await page.locator('.error-summary').getByRole('link', { name: '请选择补发原因。' }).waitFor();
  await page.locator('#reissue_reason-error').getByText('请选择补发原因。').waitFor();
  assert.notEqual(await page.getByLabel('服务大厅', { exact: true }).inputValue(), '', 'nothing typed is lost on an error');

  await page.getByRole('radio', { name: '遗失' }).check();
  await next(page, '上传申请材料');
  assert.deepEqual(await uploaderCodes(page), ['photo_2inch', 'driving_licence', 'loss_statement']);
  await page.locator('#material-loss_statement .uploader__required', { hasText: '选传' }).waitFor();

  await page.goBack();
  await page.getByRole('heading', { name: '填写申请信息' }).waitFor();
  await page.getByRole('radio', { name: '损毁' }).check();
  await next(page, '上传申请材料');
  assert.deepEqual(await uploaderCodes(page), ['photo_2inch', 'driving_licence', 'damaged_certificate']);
  await expectAccessible(page);
  await uploadRequired(page, photos);

  await answer(page, '补发原因').filter({ hasText: '损毁' }).first().waitFor();
  await answer(page, '领取方式').filter({ hasText: /到服务大厅自取/ }).first().waitFor();
  const number = await submitFromReview(page);
  await answer(page, '补发原因').filter({ hasText: '损毁' }).first().waitFor();
  await openCase(page, number);
  await answer(page, '补发原因').filter({ hasText: '损毁' }).first().waitFor();
  await page.getByRole('img', { name: /损毁/ }).waitFor();
  const kase = await api(page, server, 'GET', `/cases/${number}`);
  assert.equal(kase.info.details.reason, 'damaged');
  assert.deepEqual(kase.photos.map((p) => p.material_code).sort(), ['damaged_certificate', 'driving_licence', 'photo_2inch']);
  await expectAccessible(page);
});

e2e(
  '换发: a late application says so on the certificate and the form, and the postal region is chosen from the divisions',
  async ({ page, server }) => {
    const photos = drawPhotos();
    await logInVerified(page, server, PHONE);
    await startFromServiceList(page, server, '从业资格证换发');
    // 45 days before expiry, with the deadline at 60 days: late, but it can be chosen.
    const late = page.locator('.certificate:not(.certificate_disabled) .certificate__notice');
    await late.filter({ hasText: /现已超过该期限；仍可申请/ }).first().waitFor();
    await expectAccessible(page);
    await page.locator('.certificate:not(.certificate_disabled)', { has: page.locator('.certificate__notice') }).first().click();
    await next(page, '填写申请信息');
    await page.locator('p.certificate__notice').filter({ hasText: /现已超过该期限/ }).waitFor();
    assert.equal(await page.getByLabel('准驾车型').inputValue(), 'C1', 'prefilled from the certificate');

    await page.getByLabel('邮寄到家').check();
    await page.getByLabel('详细地址').fill('示例路8号3单元');
    await page.getByRole('button', { name: '下一步' }).click();
    await page.locator('#province-error').getByText('请选择省份。').waitFor();
    await page.getByLabel('省份').selectOption({ label: '内蒙古自治区' });
    assert.ok(await page.getByLabel('区县').isDisabled(), 'the district waits for the city');
    await page.getByLabel('城市').selectOption({ label: '呼和浩特市' });
    await page.getByLabel('区县').selectOption({ label: '新城区' });
    await expectNoSidewaysScroll(page);
    await next(page, '上传申请材料');
    await uploadRequired(page, photos);

    await answer(page, '准驾车型').filter({ hasText: 'C1' }).first().waitFor();
    await answer(page, '领取方式').filter({ hasText: /内蒙古自治区呼和浩特市新城区示例路8号3单元/ }).first().waitFor();
    await answer(page, '提示').filter({ hasText: /现已超过该期限/ }).first().waitFor();
    const number = await submitFromReview(page);
    await openCase(page, number);
    await answer(page, '领取方式').filter({ hasText: /邮寄：.*内蒙古自治区呼和浩特市新城区示例路8号3单元/ }).first().waitFor();
    const kase = await api(page, server, 'GET', `/cases/${number}`);
    assert.equal(kase.info.details.delivery.region.code, '150102');
  },
  { server: { env: { TAXICERT_RENEWAL_DEADLINE_DAYS: '60' } } },
);

e2e('变更: 住址 chosen with the region selects and 服务单位, each beside the current value; the materials follow', async ({ page, server }) => {
  const photos = drawPhotos();
  await logInVerified(page, server, PHONE);
  await startFromServiceList(page, server, '从业资格证变更', { needs: ['变更住址时必传', '变更服务单位时必传'] });
  await chooseFirstCertificate(page);
  // No delivery: the certificate is changed, not issued.
  assert.equal(await page.locator('#delivery').count(), 0);
  const certificates = await api(page, server, 'GET', '/certificates?business=change');
  const chosen = certificates.find((c) => c.unavailable_reason === null);

  await page.getByRole('checkbox', { name: '住址' }).check();
  await page.locator('.info-form__current', { hasText: '现住址' }).getByText(chosen.address).waitFor();
  await page.locator('#change_address_province').selectOption({ label: '内蒙古自治区' });
  await page.locator('#change_address_city').selectOption({ label: '呼和浩特市' });
  await page.locator('#change_address_district').selectOption({ label: '新城区' });
  await page.getByLabel('新详细地址').fill('新华大街99号2单元301');
  await page.getByRole('checkbox', { name: '服务单位' }).check();
  await page.locator('.info-form__current', { hasText: '现服务单位' }).getByText(chosen.employer).waitFor();
  await page.getByLabel('新服务单位').fill('呼和浩特市新城出租汽车有限公司');
  await page.getByLabel('变更原因').fill('搬家并更换服务单位');
  await expectAccessible(page);
  await expectNoSidewaysScroll(page);
  await next(page, '上传申请材料');
  assert.deepEqual(await uploaderCodes(page), ['cert_info_page', 'change_proof', 'employment_proof']);
  await uploadRequired(page, photos);

  await answer(page, '住址').filter({ hasText: `${chosen.address} → 内蒙古自治区呼和浩特市新城区新华大街99号2单元301` }).first().waitFor();
  await answer(page, '服务单位').filter({ hasText: `${chosen.employer} → 呼和浩特市新城出租汽车有限公司` }).first().waitFor();
  await answer(page, '变更原因').filter({ hasText: '搬家并更换服务单位' }).first().waitFor();
  const number = await submitFromReview(page);
  await openCase(page, number);
  await answer(page, '服务单位').filter({ hasText: `${chosen.employer} → 呼和浩特市新城出租汽车有限公司` }).first().waitFor();
  await answer(page, '住址').filter({ hasText: /→ 内蒙古自治区呼和浩特市新城区新华大街99号2单元301/ }).first().waitFor();
  await expectNoSidewaysScroll(page);
  const kase = await api(page, server, 'GET', `/cases/${number}`);
  assert.deepEqual(kase.info.details.changes.map((c) => c.item), ['address', 'employer']);
});

e2e('a new application starts from the answers of the last one that was withdrawn or refused', async ({ page, server }) => {
  await logInVerified(page, server, '13812345678');
  const withdrawn = await submitCase(page, server, 'change', { changes: [{ item: 'licence_class', new: 'A1' }], reason: '增驾A1' });
  await api(page, server, 'POST', `/cases/${withdrawn.id}/withdrawal`);
  await prepareDraft(page, server, 'change', 'certificate');
  await open(page, server, 'apply/change/info');
  await page.getByText('已按您上次撤回或不予受理的申请填好').waitFor();
  assert.equal(await page.getByLabel('变更原因').inputValue(), '增驾A1');
  assert.ok(await page.getByRole('checkbox', { name: '准驾车型' }).isChecked());
  assert.equal(await page.getByLabel('新准驾车型').inputValue(), 'A1');
  await expectAccessible(page);
  // What he changes is kept: the next visit does not fill the form again.
  await page.getByLabel('变更原因').fill('增驾A2');
  await page.reload();
  await page.getByRole('heading', { name: '填写申请信息' }).waitFor();
  assert.equal(await page.getByLabel('变更原因').inputValue(), '增驾A2');
});

e2e('注销: a reason from the rules, words only for 其他, and no delivery or 准驾车型', async ({ page, server }) => {
  const photos = drawPhotos();
  await logInVerified(page, server, PHONE);
  await startFromServiceList(page, server, '从业资格证注销');
  await chooseFirstCertificate(page);
  assert.equal(await page.locator('#delivery').count(), 0, 'nothing is issued: no 领取方式');
  assert.equal(await page.getByLabel('准驾车型').count(), 0);
  await page.getByRole('button', { name: '下一步' }).click();
  await page.locator('#cancellation_reason-error').getByText('请选择注销原因。').waitFor();
  for (const reason of ['本人申请', '达到法定退休年龄', '驾驶证被注销或吊销', '身体原因不适合继续从业', '其他']) {
    await page.getByRole('radio', { name: reason }).waitFor();
  }
  assert.equal(await page.getByLabel('其他原因').count(), 0, 'the words are asked for 其他 only');
  await page.getByRole('radio', { name: '其他' }).check();
  await page.getByRole('button', { name: '下一步' }).click();
  await page.locator('#other_reason-error').getByText('请填写其他注销原因。').waitFor();
  await page.getByLabel('其他原因').fill('转行从事其他工作');
  await expectAccessible(page);
  await next(page, '上传申请材料');
  await uploadRequired(page, photos);

  await answer(page, '注销原因').filter({ hasText: '其他：转行从事其他工作' }).first().waitFor();
  assert.equal(await answer(page, '领取方式').count(), 0);
  const number = await submitFromReview(page);
  await openCase(page, number);
  await answer(page, '注销原因').filter({ hasText: '其他：转行从事其他工作' }).first().waitFor();
  assert.equal(await answer(page, '领取方式').count(), 0);
});

e2e('服务质量信誉考核: the period is chosen from the certificate\'s, and nothing is delivered', async ({ page, server }) => {
  const photos = drawPhotos();
  await logInVerified(page, server, PHONE);
  await startFromServiceList(page, server, '服务质量信誉考核');
  await chooseFirstCertificate(page);
  assert.equal(await page.locator('#delivery').count(), 0);
  await page.getByRole('button', { name: '下一步' }).click();
  await page.locator('#period-error').getByText('请选择考核周期。').waitFor();
  const certificates = await api(page, server, 'GET', '/certificates?business=credit_assessment');
  const [period] = certificates.find((c) => c.unavailable_reason === null).assessment_periods;
  const label = `${period.start} 至 ${period.end}`;
  await page.getByRole('radio', { name: label }).check();
  await expectAccessible(page);
  await next(page, '上传申请材料');
  await uploadRequired(page, photos);

  await answer(page, '考核周期').filter({ hasText: label }).first().waitFor();
  const number = await submitFromReview(page);
  await openCase(page, number);
  await answer(page, '考核周期').filter({ hasText: label }).first().waitFor();
  const kase = await api(page, server, 'GET', `/cases/${number}`);
  assert.deepEqual(kase.info.details.period, period);
});

e2e('an open renewal is linked on the certificate step before anything is typed, and a duplicate at 提交 names its case', async ({ page, server }) => {
  await logInVerified(page, server, PHONE);
  const open1 = await submitCase(page, server, 'renewal');
  await open(page, server, 'apply/renewal');
  await agreeToNotice(page);
  const blocked = page.locator('.certificate-item', { has: page.locator('.certificate_disabled') }).filter({ has: page.getByRole('link', { name: /查看办件/ }) });
  await blocked.locator('.certificate__reason').waitFor();
  await expectAccessible(page);
  await expectNoSidewaysScroll(page);
  await blocked.getByRole('link', { name: /查看办件/ }).click();
  await page.getByRole('heading', { name: '办件详情' }).waitFor();
  await page.getByText(open1.id).first().waitFor();

  // Another business on the same certificate goes on; were the server to find a case opened
  // meanwhile (on another phone), 提交 says so and links to it.
  await prepareDraft(page, server, 'reissue', 'personal_info');
  const detail = await api(page, server, 'GET', '/businesses/reissue');
  const photos = drawPhotos();
  await open(page, server, 'apply/reissue/materials');
  await uploadRequired(page, photos);
  assert.ok(detail.materials.length > 0);
  await page.route('**/api/v1/cases', (route) =>
    route.request().method() === 'POST'
      ? route.fulfill({
          status: 409,
          contentType: 'application/json',
          body: JSON.stringify({
            code: 'duplicate_application',
            message: `这张从业资格证已有一件补发申请正在办理（办件编号 ${open1.id}），请在“我的办件”中查看办理进度，无需重复申请。`,
            case_id: open1.id,
          }),
        })
      : route.continue(),
  );
  await page.getByRole('button', { name: '提交' }).click();
  await page.locator('.error-summary').getByText(/已有一件补发申请正在办理/).waitFor();
  await expectAccessible(page);
  await page.getByRole('link', { name: `查看办件 ${open1.id}` }).click();
  await page.getByRole('heading', { name: '办件详情' }).waitFor();
}, { allowConsoleErrors: [/status of 409/] });

e2e('a 变更 returned for its changes is corrected with the same form, the region chosen again, the rest read-only', async ({ page, server }) => {
  const photos = drawPhotos();
  await logInVerified(page, server, PHONE);
  const kase = await submitCase(page, server, 'change', {
    changes: [{ item: 'address', new: { region: { code: '150102' }, street: '新华大街99号' } }],
    reason: '搬家',
  });
  // The clerk sends the changes and the address proof back, through the staff API.
  const password = server.addStaff('clerk13', '王办理');
  const clerk = await clerkBrowser(server, 'clerk13', password);
  try {
    const answer = await clerk.page.request.post(`${server.origin}/api/v1/staff/cases/${kase.id}/actions`, {
      headers: { 'X-Taxicert-Csrf': '1', Origin: server.origin },
      data: { action: 'return', reason: '新住址缺少门牌号，请补充完整', fields: ['changes'], materials: ['change_proof'] },
    });
    assert.equal(answer.status(), 200, await answer.text());
  } finally {
    await clerk.close();
  }

  await open(page, server, `cases/${kase.id}`);
  await page.getByText('新住址缺少门牌号，请补充完整').first().waitFor();
  await page.locator('.case-correction__items').getByText('变更事项').waitFor();
  await page.getByRole('link', { name: '去补正' }).click();
  await page.getByRole('heading', { name: '补正材料' }).waitFor();
  // Only the changes are editable; the reason and the contact are shown as they were.
  assert.equal(await page.locator('#change_address_district').inputValue(), '150102');
  assert.equal(await page.getByLabel('变更原因').count(), 0);
  assert.equal(await page.locator('#contact_phone').count(), 0);
  await answer(page, '变更原因').filter({ hasText: '搬家' }).first().waitFor();
  await page.locator('#change_address_city').selectOption({ label: '呼和浩特市' });
  await page.locator('#change_address_district').selectOption('');
  await page.getByRole('button', { name: '提交补正' }).click();
  await page.locator('.error-summary').getByRole('link', { name: '请选择区县。' }).waitFor();
  await page.locator('.error-summary').getByRole('link', { name: /请重新上传住址变更证明/ }).waitFor();
  await expectAccessible(page);
  await expectNoSidewaysScroll(page);
  await page.locator('#change_address_district').selectOption({ label: '新城区' });
  await page.getByLabel('新详细地址').fill('新华大街99号2单元301');
  await page.getByLabel('选择住址变更证明的照片').setInputFiles(photos.page);
  await page.locator('.uploader__badge', { hasText: '上传成功' }).waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: '提交补正' }).click();
  await page.getByRole('heading', { name: '办件详情' }).waitFor();
  await answer(page, '住址').filter({ hasText: /→ 内蒙古自治区呼和浩特市新城区新华大街99号2单元301/ }).first().waitFor();
  const corrected = await api(page, server, 'GET', `/cases/${kase.id}`);
  assert.equal(corrected.summary.status, 'submitted');
  assert.equal(corrected.info.details.changes[0].new.street, '新华大街99号2单元301');
  assert.equal(corrected.info.details.reason, '搬家');
});

e2e('each business\'s result on the driver\'s case page: 变更 old → new, 考核 period, points and grade, 注销 marked', async ({ page, server }) => {
  await logInVerified(page, server, PHONE);
  const change = await submitCase(page, server, 'change', {
    changes: [{ item: 'employer', new: '呼和浩特市新城出租汽车有限公司' }],
    reason: '更换服务单位',
  });
  const assessment = await submitCase(page, server, 'credit_assessment');
  const cancellation = await submitCase(page, server, 'cancellation');
  const password = server.addStaff('clerk14', '赵办理');
  const clerk = await clerkBrowser(server, 'clerk14', password);
  const act = async (id, data) => {
    const answer = await clerk.page.request.post(`${server.origin}/api/v1/staff/cases/${id}/actions`, {
      headers: { 'X-Taxicert-Csrf': '1', Origin: server.origin },
      data,
    });
    assert.equal(answer.status(), 200, `${data.action} ${id}: ${await answer.text()}`);
  };
  try {
    for (const [kase, completion] of [
      [change, { business: 'change', note: '' }],
      [assessment, { business: 'credit_assessment', deductions: 3, bonus: 1, note: '' }],
      [cancellation, { business: 'cancellation', note: '' }],
    ]) {
      await act(kase.id, { action: 'accept' });
      await act(kase.id, { action: 'complete', ...completion });
    }
  } finally {
    await clerk.close();
  }

  await open(page, server, `cases/${change.id}`);
  await page.getByRole('heading', { name: '已办结' }).waitFor();
  await page.locator('.case-result .summary__row', { hasText: '服务单位' }).filter({ hasText: '→ 呼和浩特市新城出租汽车有限公司' }).waitFor();

  await open(page, server, `cases/${assessment.id}`);
  const { period } = (await api(page, server, 'GET', `/cases/${assessment.id}`)).info.details;
  const result = page.locator('.case-result');
  await result.locator('.summary__row', { hasText: '考核周期' }).filter({ hasText: `${period.start} 至 ${period.end}` }).waitFor();
  await result.locator('.summary__row', { hasText: '考核分数' }).filter({ hasText: '18分' }).waitFor();
  await result.locator('.summary__row', { hasText: '考核等级' }).filter({ hasText: 'AA' }).waitFor();
  await expectAccessible(page);

  await open(page, server, `cases/${cancellation.id}`);
  await page.getByText('从业资格证已注销').waitFor();
  await page.getByRole('link', { name: '下载注销凭证（PDF）' }).waitFor();
  await expectNoSidewaysScroll(page);
});
