// The clerks' console beyond one case (issue 18): an admin manages the staff accounts at a desk
// (1366 px) — a new account, a refused one, a password reset, 停用 asked first — and a clerk
// works the queue and the figures on a phone (375 px): the time left to each due date, the
// export, 工作统计, one column without sideways scroll.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS, clerkBrowser, e2e, expectAccessible, expectNoSidewaysScroll, logInVerified, open, submitCase } from './harness.mjs';

async function picture(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

e2e('an admin adds, resets and disables staff accounts at a desk; the console asks before 停用', async ({ server }) => {
  const password = server.addStaff('admin01', '赵管理', 'admin');
  server.addStaff('clerk02', '钱办理');
  // The taken username's 409 is the test's own doing.
  const admin = await clerkBrowser(server, 'admin01', password, { allowConsoleErrors: [/status of 409/] });
  const page = admin.page;
  try {
    await page.getByRole('link', { name: /账号管理/ }).click();
    await page.getByRole('heading', { name: '账号管理' }).waitFor();
    const table = page.locator('#staff-accounts');
    await table.getByRole('row', { name: /clerk02/ }).waitFor();
    await table.getByRole('row', { name: /admin01/ }).getByText('（本人）').waitFor();

    // 新增账号: each mistake at its field, nothing typed lost.
    await page.getByLabel('用户名').fill('Sun.Clerk');
    await page.getByLabel('姓名').fill('孙办理');
    await page.getByLabel('初始密码').fill('short');
    await page.getByLabel('再次输入').fill('other');
    await page.getByRole('button', { name: '新增账号' }).click();
    const summary = page.locator('.error-summary');
    await summary.getByText('请选择账号的角色。').waitFor();
    await summary.getByText('密码至少需要12个字符').waitFor();
    await summary.getByText('两次输入的密码不一致').waitFor();
    assert.equal(await page.getByLabel('姓名').inputValue(), '孙办理');
    await page.getByLabel('角色', { exact: true }).selectOption('clerk');
    await page.getByLabel('初始密码').fill('a first password');
    await page.getByLabel('再次输入').fill('a first password');
    // A taken username is the server's answer, at the field.
    await page.getByLabel('用户名').fill('clerk02');
    await page.getByRole('button', { name: '新增账号' }).click();
    await page.locator('#account-username-error', { hasText: '已被使用' }).waitFor();
    await page.getByLabel('用户名').fill('Sun.Clerk');
    await page.getByRole('button', { name: '新增账号' }).click();
    await page.locator('#account-done', { hasText: '已新增账号 sun.clerk' }).waitFor();
    await table.getByRole('row', { name: /sun\.clerk/ }).getByText('业务办理人员').waitFor();
    assert.equal(await page.getByLabel('用户名').inputValue(), '', 'emptied for the next one');
    await expectAccessible(page);
    await picture(page, 'staff-accounts-1366');

    // 重置密码 for clerk02.
    await page.getByRole('button', { name: '管理账号 clerk02' }).click();
    await page.getByRole('heading', { name: '管理账号：钱办理（clerk02）' }).waitFor();
    await page.getByLabel('新密码').fill('too short');
    await page.getByRole('button', { name: '重置密码' }).click();
    await page.locator('#account-reset-password-error', { hasText: '至少需要12个字符' }).waitFor();
    await page.getByLabel('新密码').fill('a brand new password');
    await page.getByRole('button', { name: '重置密码' }).click();
    await page.locator('#account-done', { hasText: '账号 clerk02 的密码已重置' }).waitFor();
    assert.equal(await page.getByLabel('新密码').inputValue(), '');

    // 停用 asks, naming the account; 取消 changes nothing.
    const asked = new Promise((resolve) => page.once('dialog', (dialog) => { resolve(dialog.message()); dialog.dismiss(); }));
    await page.getByRole('button', { name: '停用账号' }).click();
    assert.match(await asked, /确定停用账号 clerk02（钱办理）吗？/);
    await table.getByRole('row', { name: /clerk02/ }).getByText('正常').waitFor();
    page.once('dialog', (dialog) => dialog.accept());
    await page.getByRole('button', { name: '停用账号' }).click();
    await page.locator('#account-done', { hasText: '账号 clerk02 已停用' }).waitFor();
    await table.getByRole('row', { name: /clerk02/ }).getByText('已停用').waitFor();

    // His own account is another admin's to change.
    await page.getByRole('button', { name: '管理账号 admin01' }).click();
    await page.getByText('这是您本人的账号').waitFor();
    assert.equal(await page.getByRole('button', { name: '停用账号' }).count(), 0);
  } finally {
    await admin.close();
  }

  // The disabled account no longer signs in; the reset one would with its new password.
  const refused = await fetch(`${server.origin}/api/v1/staff/session`, {
    method: 'POST',
    headers: { 'X-Taxicert-Csrf': '1', Origin: server.origin, 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'clerk02', password: 'a brand new password' }),
  });
  assert.equal(refused.status, 401);
});

e2e('on a phone a clerk reads the queue with the time left, exports it and reads 工作统计, in one column', async ({ page, server }) => {
  await logInVerified(page, server, '13812345678');
  const kase = await submitCase(page, server, 'reissue');
  const other = await submitCase(page, server, 'change');
  const password = server.addStaff('clerk03', '孙办理');
  const clerk = await clerkBrowser(server, 'clerk03', password, { phone: true });
  const staff = clerk.page;
  try {
    await staff.getByRole('link', { name: /办件受理/ }).getByText(/2 件待受理，0 件待办结/).waitFor();
    await staff.getByRole('link', { name: /办件受理/ }).click();
    const row = staff.locator(`#case-${kase.id}`);
    await row.getByText(/剩\d+天|今天到期/).waitFor();
    await expectNoSidewaysScroll(staff, 375);
    await expectAccessible(staff);
    await picture(staff, 'staff-queue-375');

    // The export carries the filters, never the search.
    await staff.getByLabel('查找办件').fill('13812345678');
    await staff.getByRole('button', { name: '查找', exact: true }).click();
    await row.waitFor();
    const href = await staff.getByRole('link', { name: '导出CSV' }).getAttribute('href');
    assert.match(href, /\/api\/v1\/staff\/reports\/cases\.csv$/);
    const csv = await staff.evaluate(async (url) => (await fetch(url)).text(), href);
    assert.match(csv, new RegExp(`^\\uFEFF?办件编号,`));
    assert.ok(csv.includes(kase.id), csv);
    assert.ok(!csv.includes('13812345678'), 'no phone number in the export');

    // 不予受理 asks first, naming the case; 取消 keeps the reason typed.
    await open(staff, server, `staff/cases/${other.id}`);
    await staff.getByRole('heading', { name: '办理', exact: true }).waitFor();
    await staff.getByRole('button', { name: '不予受理', exact: true }).click();
    const reason = '该证不属于本市核发，请到原发证机关办理。';
    await staff.getByLabel('不予受理原因').fill(reason);
    const asked = new Promise((resolve) => staff.once('dialog', (dialog) => { resolve(dialog.message()); dialog.dismiss(); }));
    await staff.getByRole('button', { name: '确认不予受理' }).click();
    assert.match(await asked, new RegExp(`确定对办件 ${other.id} 不予受理吗？`));
    assert.equal(await staff.getByLabel('不予受理原因').inputValue(), reason);
    staff.once('dialog', (dialog) => dialog.accept());
    await staff.getByRole('button', { name: '确认不予受理' }).click();
    await staff.locator('#staff-case-done', { hasText: '已决定不予受理' }).waitFor();
    await open(staff, server, 'staff/cases');
    await row.waitFor();

    // One case: one column, no queue beside it on a phone.
    await row.getByRole('link', { name: kase.id }).click();
    await staff.getByRole('heading', { name: '办理', exact: true }).waitFor();
    assert.equal(await staff.locator('.staff-desk__queue').count(), 0);
    staff.once('dialog', (dialog) => dialog.accept());
    await staff.getByRole('button', { name: '受理', exact: true }).click();
    await staff.locator('#staff-case-done', { hasText: '办件已受理' }).waitFor();
    await expectNoSidewaysScroll(staff, 375);

    // 工作统计: this month, his 受理.
    await open(staff, server, 'staff/report');
    await staff.getByRole('heading', { name: '工作统计' }).waitFor();
    const line = staff.locator('#staff-report').getByRole('row', { name: /孙办理/ });
    await line.locator('td[data-label="受理"]', { hasText: '1' }).waitFor();
    await expectNoSidewaysScroll(staff, 375);
    await expectAccessible(staff);
    await picture(staff, 'staff-report-375');
  } finally {
    await clerk.close();
  }
});
