// After submission, in two browsers at once: a driver on his phone and a clerk at the office
// (the staff console at /staff). The whole life of a case — accepted, returned for
// correction, corrected, completed, the voucher downloaded and checked — the badge of
// 我的办件, withdrawal, the real-name review, and the due dates on the official calendar;
// then the clerk's side of the other businesses: a 变更 seen old → new and written to the
// certificate, a 考核 graded from its points with a voucher that shows them; the voucher as a
// picture to save in WeChat, whose browser does not download the PDF.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ARTIFACTS,
  ROOT,
  api,
  clerkBrowser,
  drawIdCard,
  drawPhotos,
  e2e,
  expectAccessible,
  expectNoSidewaysScroll,
  logIn,
  logInVerified,
  open,
  uploadPhoto,
} from './harness.mjs';

const PHONE = '13812345678';

/** The first certificate that can be chosen for `business`, as the wizard lists it. */
async function choosable(page, server, business) {
  const certificates = await api(page, server, 'GET', `/certificates?business=${business}`);
  return certificates.find((c) => c.unavailable_reason === null);
}

/**
 * Submits a case of `business` through the API (the driver's wizard has its own tests): the
 * first certificate that can be chosen, the form's business details from `details(certificate,
 * hall)`, a photo for every required material that applies to them. Returns the case and the
 * certificate as it was.
 */
async function submitBusiness(page, server, business, details) {
  const certificate = await choosable(page, server, business);
  const profile = await api(page, server, 'GET', '/profile');
  const [hall] = await api(page, server, 'GET', '/service-halls');
  const info = { contact_name: profile.name, contact_phone: profile.phone, details: details(certificate, hall) };
  await api(page, server, 'PUT', `/drafts/${business}`, { step: 'notice' });
  await api(page, server, 'PUT', `/drafts/${business}`, { step: 'certificate', certificate_id: certificate.id });
  await api(page, server, 'PUT', `/drafts/${business}`, { step: 'personal_info', info });
  const photos = drawPhotos();
  const catalogue = await api(page, server, 'GET', `/businesses/${business}`);
  const applies = (material) => {
    const condition = material.condition;
    if (!condition) return true;
    if (condition.when === 'reissue_reason') return info.details.reason === condition.reason;
    if (condition.when === 'change') return (info.details.changes ?? []).some((c) => c.item === condition.item);
    return false;
  };
  const uploads = {};
  for (const material of catalogue.materials.filter((m) => m.required && applies(m))) {
    uploads[material.code] = await uploadPhoto(page, server, material.code, material.code === 'photo_2inch' ? photos.portrait : photos.page);
  }
  await api(page, server, 'PUT', `/drafts/${business}`, { step: 'materials', uploads });
  const draft = await api(page, server, 'GET', `/drafts/${business}`);
  const answer = await page.request.post(`${server.origin}/api/v1/cases`, {
    headers: { 'X-Taxicert-Csrf': '1', Origin: server.origin, 'Idempotency-Key': `e2e-${business}-${Date.now()}` },
    data: { business, revision: draft.revision },
  });
  assert.equal(answer.status(), 201, await answer.text());
  return { ...(await answer.json()), certificate };
}

const pickup = (hall) => ({ method: 'pickup', hall_id: hall.id });
const renewal = (certificate, hall) => ({ business: 'renewal', licence_class: certificate.licence_class || 'C1', delivery: pickup(hall) });
const reissue = (_certificate, hall) => ({ business: 'reissue', reason: 'lost', delivery: pickup(hall) });
const change = (certificate) => ({
  business: 'change',
  changes: [
    { item: 'licence_class', new: certificate.licence_class === 'A1' ? 'B1' : 'A1' },
    { item: 'employer', new: '呼和浩特市新示例出租汽车有限公司' },
  ],
  reason: '增驾并换了服务单位',
});
const assessment = (certificate) => ({ business: 'credit_assessment', period: certificate.assessment_periods[0] });

/** `2032-12-31` six years on: the proposal of the clerk's 办结 for 换发. */
const sixYearsOn = (date) => `${Number(date.slice(0, 4)) + 6}${date.slice(4)}`;

/** A voucher PDF's text, read back by poppler as the server tests do. */
function pdfText(path) {
  return execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' });
}

/** A passing run leaves these pictures in target/e2e/, to look at the pages as a driver would. */
async function picture(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

// ---------------------------------------------------------------------------------------
// The working-day calendar, read from the server's data file by a second implementation:
// the dates the pages show must be the ones the State Council's notices give.

const DAY = 24 * 3600 * 1000;
const iso = (ms) => new Date(ms).toISOString().slice(0, 10);
const nextDay = (date) => iso(Date.parse(`${date}T00:00:00Z`) + DAY);

function officialCalendar() {
  const calendar = { years: new Set(), off: new Set(), work: new Set() };
  const text = readFileSync(join(ROOT, 'server/data/workdays-cn.txt'), 'utf8');
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [kind, when] = line.split(/\s+/);
    if (kind === 'year') {
      calendar.years.add(Number(when));
      continue;
    }
    const [from, to = from] = when.split('..');
    for (let date = from; date <= to; date = nextDay(date)) calendar[kind].add(date);
  }
  return calendar;
}

/** `n` working days after `from`, and whether a day on the way was not covered (预计). */
function addWorkingDays(calendar, from, n) {
  let date = from;
  let estimated = false;
  while (n > 0) {
    date = nextDay(date);
    const weekend = [0, 6].includes(new Date(`${date}T00:00:00Z`).getUTCDay());
    if (!calendar.years.has(Number(date.slice(0, 4)))) estimated = true;
    const working = calendar.off.has(date) ? false : calendar.work.has(date) ? true : !weekend;
    if (working) n -= 1;
  }
  return { date, estimated };
}

const beijingToday = () => iso(Date.now() + 8 * 3600 * 1000);

/** As the pages write a date: `2026年11月27日`, with (预计) when estimated. */
function shown({ date, estimated }) {
  const [y, m, d] = date.split('-').map(Number);
  return `${y}年${m}月${d}日${estimated ? '（预计）' : ''}`;
}

/** The clerk opens a case from the queue. */
async function openCase(clerk, server, id) {
  await open(clerk, server, 'staff/cases?scope=all');
  await clerk.getByRole('link', { name: id }).click();
  await clerk.getByRole('heading', { name: '办理', exact: true }).waitFor();
}

/** The driver's case page, reached from 我的办件 as he would. */
async function driverOpensCase(page, server, id) {
  await open(page, server, 'cases');
  await page.locator(`a[href$="/cases/${id}"]`).click();
  await page.getByRole('heading', { name: '办件详情' }).waitFor();
  await page.locator('.case-status__name').waitFor();
}

async function statusShown(page) {
  return (await page.locator('.case-status__name').textContent()).trim();
}

/** A status's colour, and whether a sign is drawn before its name. */
function statusTone(locator) {
  return locator.evaluate((e) => ({
    color: getComputedStyle(e).color,
    sign: !['none', 'normal', ''].includes(getComputedStyle(e, '::before').content),
  }));
}

e2e('a driver and a clerk: submit, accept, return for correction, resubmit, complete, download and verify the voucher', async ({ page, server }) => {
  const calendar = officialCalendar();
  const today = beijingToday();
  const password = server.addStaff('clerk01', '张办理');
  await logInVerified(page, server, PHONE);
  const submitted = await submitBusiness(page, server, 'renewal', renewal);

  // Submitted: the due dates are those of the official calendar.
  await driverOpensCase(page, server, submitted.id);
  assert.equal(await statusShown(page), '已提交');
  const acceptBy = addWorkingDays(calendar, today, 2);
  await page.getByText(`业务办理人员将在${shown(acceptBy)}前受理您的申请`).waitFor();
  await page.locator('.timeline__event', { hasText: '已提交' }).waitFor();
  await expectAccessible(page);
  // 复制 puts the case number on the clipboard and says so.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
  await page.getByRole('button', { name: '复制' }).click();
  await page.getByRole('status').getByText('已复制').waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), submitted.id);

  const clerk = await clerkBrowser(server, 'clerk01', password);
  let proposed;
  try {
    // 受理
    await openCase(clerk.page, server, submitted.id);
    await expectAccessible(clerk.page);
    clerk.page.once('dialog', (dialog) => dialog.accept());
    await clerk.page.getByRole('button', { name: '受理', exact: true }).click();
    await clerk.page.locator('#staff-case-done', { hasText: '办件已受理' }).waitFor();
    await clerk.page.locator('#case-status-value', { hasText: '已受理' }).waitFor();

    // The driver opens the app again: a badge on 我的办件, the new status and due date.
    await open(page, server, '');
    await page.locator('.app-tabbar__badge', { hasText: '1' }).waitFor();
    await driverOpensCase(page, server, submitted.id);
    assert.equal(await statusShown(page), '已受理');
    await page.getByText(`将在${shown(addWorkingDays(calendar, today, 3))}前办结`).waitFor();
    await page.locator('.timeline__event', { hasText: '已受理' }).waitFor();
    // Seen: the badge is gone.
    await page.locator('.app-tabbar__badge').waitFor({ state: 'detached' });

    // 退回补正: the contact phone and the 2-inch photo. A 换发's form has no 住址 or 注销原因
    // to send back: the checkboxes are the business's own.
    await clerk.page.reload();
    await clerk.page.getByRole('button', { name: '退回补正', exact: true }).click();
    assert.equal(await clerk.page.locator('#return-field-address').count(), 0);
    assert.equal(await clerk.page.locator('#return-field-cancellation_reason').count(), 0);
    await clerk.page.locator('#return-field-licence_class').waitFor();
    await clerk.page.getByRole('button', { name: '确认退回' }).click();
    await clerk.page.locator('.error-summary').waitFor();
    await clerk.page.locator('#return-field-contact_phone').check();
    await clerk.page.locator('#return-material-photo_2inch').check();
    await clerk.page.getByLabel('退回原因').fill('联系电话无法接通，照片背景不是浅色，请修改联系电话并重新上传照片。');
    await clerk.page.getByRole('button', { name: '确认退回' }).click();
    await clerk.page.locator('#case-status-value', { hasText: '退回补正' }).waitFor();

    // The driver refreshes the page he has open: the reason and what to change.
    await page.getByRole('button', { name: '刷新' }).click();
    await page.locator('.case-status__name', { hasText: '退回补正' }).waitFor();
    // A bad outcome looks like one: red (the console's colour too), after its sign.
    assert.deepEqual(await statusTone(page.locator('.case-status__name .status-tone')), { color: 'rgb(179, 38, 30)', sign: true });
    await page.getByText('联系电话无法接通').first().waitFor();
    await picture(page, 'case-returned-375');
    await page.getByRole('link', { name: '去补正' }).click();
    await page.getByRole('heading', { name: '补正材料' }).waitFor();
    await picture(page, 'correction-375');
    // Only what was flagged is editable.
    assert.equal(await page.getByLabel('准驾车型').count(), 0);
    await expectAccessible(page);
    // Without a new photo the correction is refused on the phone, with a link to the photo.
    await page.getByRole('button', { name: '提交补正' }).click();
    await page.locator('.error-summary').getByText('请重新上传近期二寸正面免冠彩色证件照').waitFor();
    await page.getByLabel('联系电话').fill('12345');
    await page.getByRole('button', { name: '提交补正' }).click();
    await page.locator('.error-summary').getByText(/联系电话/).waitFor();
    await page.getByLabel('联系电话').fill('13912340000');
    // A reload keeps what was typed.
    await page.reload();
    await page.getByRole('heading', { name: '补正材料' }).waitFor();
    assert.equal(await page.getByLabel('联系电话').inputValue(), '13912340000');
    const photos = drawPhotos();
    await page.locator('#material-photo_2inch input[type=file]').setInputFiles(photos.portrait);
    await page.locator('#material-photo_2inch .uploader__badge', { hasText: '上传成功' }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: '提交补正' }).click();
    await page.getByRole('heading', { name: '办件详情' }).waitFor();
    await page.locator('.timeline__event', { hasText: '已补正并重新提交' }).waitFor();
    assert.equal(await statusShown(page), '已受理', 'returned after acceptance, it goes back to 已受理');
    // The new number, masked like 申请人 once submitted; the clerk sees it whole.
    await page.locator('.summary__row', { hasText: '联系电话' }).filter({ hasText: '139****0000' }).waitFor();
    assert.doesNotMatch(await page.locator('main').innerText(), /13912340000/);

    // 办结: a renewal needs the new expiry date, proposed as the old one + 6 years.
    await clerk.page.reload();
    await clerk.page.getByText('13912340000').first().waitFor();
    // What the driver changed, beside what the clerk returned: the phone old → new, and the
    // photo he replaced beside the new one, both loaded.
    const changes = clerk.page.locator('#case-resubmission');
    await changes.locator('#case-resubmission-rows tr', { hasText: '联系电话' }).filter({ hasText: '13912340000' }).waitFor();
    await changes.getByText('联系电话无法接通').waitFor();
    const pair = changes.locator('.staff-compare[data-material="photo_2inch"] img');
    assert.equal(await pair.count(), 2);
    await clerk.page.waitForFunction(() => [...document.querySelectorAll('.staff-compare img')].every((img) => img.complete && img.naturalWidth > 0));
    const [before, after] = await pair.evaluateAll((imgs) => imgs.map((img) => img.getAttribute('src')));
    assert.match(before, /photos\/photo_2inch\?previous=true$/);
    assert.match(after, /photos\/photo_2inch$/);
    await expectAccessible(clerk.page);
    await picture(clerk.page, 'staff-case-resubmitted-1366');
    // On a desk the waiting queue is beside the case, this one marked.
    await clerk.page.locator('.staff-desk__queue a[aria-current="page"]', { hasText: submitted.id }).waitFor();
    await clerk.page.getByRole('button', { name: '办结', exact: true }).click();
    proposed = sixYearsOn(submitted.certificate.valid_until);
    assert.equal(await clerk.page.getByLabel('新有效期至').inputValue(), proposed);
    // 补发 and 换发 may give a new number; no grade to choose.
    assert.equal(await clerk.page.getByLabel('扣分').count(), 0);
    await clerk.page.getByLabel('新有效期至').fill('');
    await clerk.page.getByRole('button', { name: '确认办结' }).click();
    await clerk.page.locator('.error-summary').waitFor();
    await clerk.page.getByLabel('新有效期至').fill(proposed);
    await clerk.page.getByLabel('备注').fill('请于工作日到新城区服务大厅领取新证。');
    // 办结 cannot be undone: asked once more; 取消 leaves the case and what was typed.
    const asked = new Promise((resolve) => clerk.page.once('dialog', (dialog) => { resolve(dialog.message()); dialog.dismiss(); }));
    await clerk.page.getByRole('button', { name: '确认办结' }).click();
    assert.match(await asked, new RegExp(`确定办结办件 ${submitted.id} 吗？办结后不能撤回。`));
    assert.equal((await clerk.page.locator('#case-status-value').innerText()).trim(), '已受理');
    assert.equal(await clerk.page.getByLabel('备注').inputValue(), '请于工作日到新城区服务大厅领取新证。');
    clerk.page.once('dialog', (dialog) => dialog.accept());
    await clerk.page.getByRole('button', { name: '确认办结' }).click();
    await clerk.page.locator('#case-status-value', { hasText: '已办结' }).waitFor();
    // Every action is on the clerk's timeline with who did it.
    for (const event of ['已提交', '已受理', '退回补正', '已补正并重新提交', '已办结']) {
      await clerk.page.locator('#case-timeline-title ~ *', { hasText: event }).first().waitFor();
    }
    await clerk.page.getByText('张办理').first().waitFor();
    await picture(clerk.page, 'staff-case-completed');
  } finally {
    await clerk.close();
  }

  // The driver downloads the voucher and opens its check page.
  await page.getByRole('button', { name: '刷新' }).click();
  await page.locator('.case-status__name', { hasText: '已办结' }).waitFor();
  assert.deepEqual(await statusTone(page.locator('.case-status__name .status-tone')), { color: 'rgb(6, 122, 60)', sign: true });
  await page.getByText(proposed).first().waitFor();
  await picture(page, 'case-completed-375');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '下载凭证（PDF）' }).click()]);
  await download.saveAs(join(ARTIFACTS, 'voucher.pdf'));
  const pdf = readFileSync(join(ARTIFACTS, 'voucher.pdf'));
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  assert.ok(pdf.length < 300 * 1024, `the voucher is ${pdf.length} bytes`);
  await page.getByRole('link', { name: '查看凭证核验页' }).click();
  await page.getByRole('heading', { name: '凭证真实有效' }).waitFor();
  await page.getByText(submitted.id).waitFor();
  await expectAccessible(page);
  await picture(page, 'verify-375');
  const body = await page.locator('main').textContent();
  assert.doesNotMatch(body, /13912340000/, 'the public page shows no phone number');
  assert.doesNotMatch(body, /\d{17}[\dX]/, 'the public page shows no ID number');
});

e2e('the verify page of an unknown code says it is not genuine', async ({ page, server }) => {
  await open(page, server, 'verify/ABCDEFGHJKLMNPQRSTUV');
  await page.getByRole('heading', { name: '未查询到该凭证' }).waitFor();
  await expectAccessible(page);
}, { allowConsoleErrors: [/status of 404/] });

e2e('a driver withdraws a case before it is accepted; after acceptance he no longer can', async ({ page, server }) => {
  await logInVerified(page, server, PHONE);
  const first = await submitBusiness(page, server, 'change', change);
  await driverOpensCase(page, server, first.id);
  // A WebView without the clipboard API: 复制 says how to copy by hand.
  await page.evaluate(() => Object.defineProperty(navigator, 'clipboard', { value: undefined }));
  await page.getByRole('button', { name: '复制' }).click();
  await page.getByRole('status').getByText('无法自动复制，请长按编号复制').waitFor();
  page.once('dialog', (dialog) => dialog.accept());
  await page.getByRole('button', { name: '撤回申请' }).click();
  await page.locator('.case-status__name', { hasText: '已撤回' }).waitFor();
  await page.locator('.timeline__event', { hasText: '已撤回' }).waitFor();
  assert.equal(await page.getByRole('button', { name: '撤回申请' }).count(), 0);

  // Accepted meanwhile by a clerk: the page he still has open says why it cannot be withdrawn.
  const second = await submitBusiness(page, server, 'reissue', reissue);
  await driverOpensCase(page, server, second.id);
  const password = server.addStaff('clerk02', '李办理');
  const clerk = await clerkBrowser(server, 'clerk02', password);
  try {
    await openCase(clerk.page, server, second.id);
    clerk.page.once('dialog', (dialog) => dialog.accept());
    await clerk.page.getByRole('button', { name: '受理', exact: true }).click();
    await clerk.page.locator('#case-status-value', { hasText: '已受理' }).waitFor();
  } finally {
    await clerk.close();
  }
  page.once('dialog', (dialog) => dialog.accept());
  await page.getByRole('button', { name: '撤回申请' }).click();
  await page.getByRole('alert').getByText(/已受理/).waitFor();
}, { allowConsoleErrors: [/status of 409/] });

e2e('a clerk rejects a real-name submission with a reason; the driver sees it, submits again, and is approved', async ({ page, server }) => {
  const password = server.addStaff('clerk03', '王审核');
  await logIn(page, server, PHONE);
  // The driver's real-name check goes through the API (the real-name pages have their own tests).
  const submitRealName = async () => {
    const card = drawIdCard();
    const headers = { 'X-Taxicert-Csrf': '1', Origin: server.origin };
    const file = (path) => ({ name: 'card.png', mimeType: 'image/png', buffer: readFileSync(path) });
    const read = await page.request.post(`${server.origin}/api/v1/realname/id-card`, {
      headers,
      multipart: { portrait: file(card.portrait), emblem: file(card.emblem) },
    });
    assert.equal(read.status(), 200, await read.text());
    const { fields } = await read.json();
    const state = await api(page, server, 'POST', '/realname/submission', { fields, typed: ['address'] });
    assert.equal(state.status, 'pending');
  };
  await submitRealName();

  const clerk = await clerkBrowser(server, 'clerk03', password);
  try {
    await open(clerk.page, server, 'staff/realname');
    await clerk.page.locator('table.staff-table a').first().click();
    await clerk.page.getByRole('button', { name: '驳回', exact: true }).waitFor();
    await expectAccessible(clerk.page);
    // Without a reason the rejection is refused on the screen.
    await clerk.page.getByRole('button', { name: '驳回', exact: true }).click();
    await clerk.page.locator('#reject-reason-error').waitFor();
    await clerk.page.getByLabel('驳回原因').fill('人像面照片反光，看不清出生日期，请重新拍摄。');
    // 驳回 asks first, naming the applicant; 取消 keeps the page and the reason.
    const asked = new Promise((resolve) => clerk.page.once('dialog', (dialog) => { resolve(dialog.message()); dialog.dismiss(); }));
    await clerk.page.getByRole('button', { name: '驳回', exact: true }).click();
    assert.match(await asked, /^确定驳回.+的实名认证申请吗？驳回后申请人须重新提交/);
    assert.equal(await clerk.page.getByLabel('驳回原因').inputValue(), '人像面照片反光，看不清出生日期，请重新拍摄。');
    clerk.page.once('dialog', (dialog) => dialog.accept());
    await clerk.page.getByRole('button', { name: '驳回', exact: true }).click();
    await clerk.page.getByText('审核结果：已驳回').waitFor();

    await open(page, server, 'realname');
    await page.getByRole('heading', { name: '实名认证未通过' }).waitFor();
    await page.getByText('人像面照片反光').waitFor();
    await submitRealName();

    await open(clerk.page, server, 'staff/realname');
    await clerk.page.locator('table.staff-table a').first().click();
    await clerk.page.getByRole('button', { name: '通过', exact: true }).click();
    await clerk.page.getByText('审核结果：已通过').waitFor();
  } finally {
    await clerk.close();
  }
  await open(page, server, 'realname');
  await page.getByRole('heading', { name: '已完成实名认证' }).waitFor();
}, { server: { env: { TAXICERT_REALNAME_AUTO_APPROVE: 'false' } } });

e2e('a clerk sees a change old → new, completes it, and the certificate records the new values', async ({ page, server }) => {
  const password = server.addStaff('clerk04', '赵办理');
  await logInVerified(page, server, PHONE);
  const submitted = await submitBusiness(page, server, 'change', change);
  const before = submitted.certificate;
  const newClass = before.licence_class === 'A1' ? 'B1' : 'A1';
  const clerk = await clerkBrowser(server, 'clerk04', password);
  try {
    await openCase(clerk.page, server, submitted.id);
    // 变更事项 | 原内容 | 新内容, the old from the certificate as it stood.
    const table = clerk.page.locator('#case-info-title ~ table');
    await table.locator('tr', { hasText: '准驾车型' }).filter({ hasText: before.licence_class }).filter({ hasText: newClass }).waitFor();
    await table.locator('tr', { hasText: '服务单位' }).filter({ hasText: '呼和浩特市新示例出租汽车有限公司' }).waitFor();
    await clerk.page.getByText('增驾并换了服务单位').waitFor();
    await expectAccessible(clerk.page);
    clerk.page.once('dialog', (dialog) => dialog.accept());
    await clerk.page.getByRole('button', { name: '受理', exact: true }).click();
    await clerk.page.locator('#case-status-value', { hasText: '已受理' }).waitFor();
    await clerk.page.getByRole('button', { name: '办结', exact: true }).click();
    // What 办结 will write; no new number, no expiry: a change issues no certificate.
    await clerk.page.getByText('办结后将记入从业资格证').waitFor();
    assert.equal(await clerk.page.getByLabel('新证号').count(), 0);
    assert.equal(await clerk.page.getByLabel('新有效期至').count(), 0);
    clerk.page.once('dialog', (dialog) => dialog.accept());
    await clerk.page.getByRole('button', { name: '确认办结' }).click();
    await clerk.page.locator('#case-status-value', { hasText: '已办结' }).waitFor();
    await clerk.page.locator('#case-result-title ~ table tr', { hasText: '准驾车型' }).filter({ hasText: newClass }).waitFor();
    await picture(clerk.page, 'staff-change-completed');
  } finally {
    await clerk.close();
  }
  // Written to the certificate: the wizard now lists the new values as the current ones.
  const certificates = await api(page, server, 'GET', '/certificates?business=reissue');
  const after = certificates.find((c) => c.id === before.id);
  assert.equal(after.licence_class, newClass);
  assert.equal(after.employer, '呼和浩特市新示例出租汽车有限公司');
});

e2e('a clerk grades an assessment from its points; the voucher and its check show period, points and grade', async ({ page, server }) => {
  const password = server.addStaff('clerk05', '钱考核');
  await logInVerified(page, server, PHONE);
  const submitted = await submitBusiness(page, server, 'credit_assessment', assessment);
  const period = submitted.certificate.assessment_periods[0];
  const clerk = await clerkBrowser(server, 'clerk05', password);
  try {
    await openCase(clerk.page, server, submitted.id);
    await clerk.page.getByText(`${period.start} 至 ${period.end}`).first().waitFor();
    clerk.page.once('dialog', (dialog) => dialog.accept());
    await clerk.page.getByRole('button', { name: '受理', exact: true }).click();
    await clerk.page.locator('#case-status-value', { hasText: '已受理' }).waitFor();
    await clerk.page.getByRole('button', { name: '办结', exact: true }).click();
    // No number to type and no grade to choose: the grade follows from the points, live.
    assert.equal(await clerk.page.getByLabel('新证号').count(), 0);
    await clerk.page.locator('#complete-credit-preview', { hasText: '考核分数 20 分，考核等级 AAA' }).waitFor();
    await clerk.page.getByLabel('扣分').fill('9');
    await clerk.page.locator('#complete-credit-preview', { hasText: '考核分数 11 分，考核等级 AA' }).waitFor();
    await clerk.page.getByLabel('加分').fill('11');
    await clerk.page.getByRole('button', { name: '确认办结' }).click();
    await clerk.page.locator('.error-summary').getByText(/最多加10分/).waitFor();
    await clerk.page.getByLabel('加分').fill('0');
    await expectAccessible(clerk.page);
    clerk.page.once('dialog', (dialog) => dialog.accept());
    await clerk.page.getByRole('button', { name: '确认办结' }).click();
    await clerk.page.locator('#case-status-value', { hasText: '已办结' }).waitFor();
    await clerk.page.locator('#case-result', { hasText: '11分' }).waitFor();
  } finally {
    await clerk.close();
  }
  await driverOpensCase(page, server, submitted.id);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '下载凭证（PDF）' }).click()]);
  const file = join(ARTIFACTS, 'voucher-credit.pdf');
  mkdirSync(ARTIFACTS, { recursive: true });
  await download.saveAs(file);
  const text = pdfText(file);
  const chinese = (date) => {
    const [y, m, d] = date.split('-').map(Number);
    return `${y}年${m}月${d}日`;
  };
  for (const expected of ['服务质量信誉考核结果凭证', '考核周期', chinese(period.start), chinese(period.end), '11分', '考核等级', 'AA']) {
    assert.ok(text.includes(expected), `${expected} missing from the voucher:\n${text}`);
  }
  await page.getByRole('link', { name: '查看凭证核验页' }).click();
  await page.getByRole('heading', { name: '凭证真实有效' }).waitFor();
  await page.getByText('11分').waitFor();
  await page.getByText(`${period.start} 至 ${period.end}`).waitFor();
  await expectAccessible(page);
});

e2e('查看凭证: in WeChat the voucher picture comes first, loads with the session cookie and says how to save it; elsewhere the PDF comes first', async ({ page, server }) => {
  const password = server.addStaff('clerk06', '孙办理');
  await logInVerified(page, server, PHONE);
  const submitted = await submitBusiness(page, server, 'reissue', reissue);
  const clerk = await clerkBrowser(server, 'clerk06', password);
  try {
    await openCase(clerk.page, server, submitted.id);
    clerk.page.once('dialog', (dialog) => dialog.accept());
    await clerk.page.getByRole('button', { name: '受理', exact: true }).click();
    await clerk.page.locator('#case-status-value', { hasText: '已受理' }).waitFor();
    await clerk.page.getByRole('button', { name: '办结', exact: true }).click();
    clerk.page.once('dialog', (dialog) => dialog.accept());
    await clerk.page.getByRole('button', { name: '确认办结' }).click();
    await clerk.page.locator('#case-status-value', { hasText: '已办结' }).waitFor();
  } finally {
    await clerk.close();
  }

  // The harness's phone is WeChat's browser on Android, where the PDF link may do nothing.
  await driverOpensCase(page, server, submitted.id);
  const pictureUrl = `/api/v1/cases/${submitted.id}/voucher.png`;
  const loaded = page.waitForResponse((r) => new URL(r.url()).pathname === pictureUrl);
  await page.getByRole('link', { name: '查看凭证', exact: true }).click();
  await page.getByRole('heading', { name: '办理凭证' }).waitFor();
  const image = page.getByRole('img', { name: /办理凭证图片/ });
  await image.waitFor();
  await page.waitForFunction(() => {
    const img = document.querySelector('.voucher-picture__img');
    return img?.complete && img.naturalWidth > 0;
  });
  assert.equal(await image.evaluate((img) => img.naturalWidth), 1190, 'the A4 page at 2 px per point');
  // The <img> sent the HttpOnly session cookie: the server answered it with the picture, and
  // the same URL without the cookie is refused.
  const response = await loaded;
  assert.equal(response.status(), 200);
  assert.equal(response.headers()['content-type'], 'image/png');
  assert.equal(response.headers()['cache-control'], 'no-store');
  assert.match((await response.request().allHeaders()).cookie ?? '', /taxicert_session=/);
  const withoutCookie = await fetch(new URL(pictureUrl, server.origin));
  assert.equal(withoutCookie.status, 401);
  assert.match(await image.getAttribute('alt'), new RegExp(`办件编号${submitted.id}`));

  // In WeChat: the picture first, how to save it, then the PDF with why it may not download.
  await page.getByText('长按图片保存到手机相册').waitFor();
  await page.getByText('在微信中，PDF文件可能无法下载').waitFor();
  await page.getByText('选择“在浏览器中打开”').waitFor();
  const pdf = page.getByRole('link', { name: '下载凭证（PDF）' });
  assert.match(await pdf.getAttribute('href'), new RegExp(`/api/v1/cases/${submitted.id}/voucher$`));
  const pictureBeforePdf = (first, second) =>
    first.evaluate((a, b) => Boolean(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING), second);
  assert.ok(await pictureBeforePdf(await image.elementHandle(), await pdf.elementHandle()), 'in WeChat the picture comes first');
  await expectAccessible(page);
  await expectNoSidewaysScroll(page);
  await picture(page, 'voucher-wechat-375');

  // Another browser on the phone: the PDF downloads there, so it comes first.
  const devtools = await page.context().newCDPSession(page);
  await devtools.send('Emulation.setUserAgentOverride', {
    userAgent: 'Mozilla/5.0 (Linux; Android 13; V2203A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0.0.0 Mobile Safari/537.36',
  });
  await page.reload();
  await page.getByRole('heading', { name: '办理凭证' }).waitFor();
  await image.waitFor();
  assert.ok(!(await pictureBeforePdf(await image.elementHandle(), await pdf.elementHandle())), 'elsewhere the PDF comes first');
  assert.equal(await page.getByText('在微信中，PDF文件可能无法下载').count(), 0);
  await page.getByText('长按图片保存到手机相册').waitFor();
  await expectAccessible(page);
  await picture(page, 'voucher-browser-375');
});
