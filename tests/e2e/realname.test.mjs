// 实名认证 in a real browser, with ID card photos drawn from fictional data and read by the
// server's Tesseract: consent, upload, confirm, 提交审核, and the errors on the way.

import assert from 'node:assert/strict';
import {
  api,
  askForCode,
  drawIdCard,
  drawPhotos,
  drawnPng,
  e2e,
  expectAccessible,
  logIn,
  logInVerified,
  open,
  outboxCode,
  submitCase,
} from './harness.mjs';

/**
 * Picks `file` for a side of the card in its uploader (the same as the materials') and waits
 * for the phone's check: `ok` (已选好, advice gone past with 仍然使用这张), `advice` (left
 * waiting) or `refused` (the reason in the tile).
 */
async function pickSide(page, side, file, expect = 'ok') {
  const name = side === 'portrait' ? '身份证人像面' : '身份证国徽面';
  const section = page.locator(`#material-${side}`);
  await section.getByLabel(`选择${name}的照片`).setInputFiles(file);
  const advice = section.locator('.uploader__advice');
  const chosen = section.locator('.uploader__status', { hasText: '已选好' });
  const refused = section.locator('.uploader__error');
  await chosen.or(advice).or(refused).first().waitFor({ timeout: 30_000 });
  if (expect === 'refused') {
    await refused.waitFor();
    return refused;
  }
  if (expect === 'ok' && (await advice.count()) > 0) {
    await section.getByRole('button', { name: '仍然使用这张' }).click();
  }
  if (expect === 'ok') await chosen.waitFor();
  return advice;
}

e2e('a signed-in driver verifies his name and can then go on to a business', async ({ page, server }) => {
  const card = drawIdCard();
  await logIn(page, server, '13812345678');
  await open(page, server, 'apply/renewal/certificate');
  await page.getByRole('heading', { name: '请先完成实名认证' }).waitFor();
  await page.getByRole('link', { name: '去实名认证' }).click();
  await page.getByRole('heading', { name: '实名认证', level: 1 }).waitFor();
  await expectAccessible(page);

  // The separate consent for sensitive personal information comes first.
  await page.getByRole('button', { name: '上传并识别' }).click();
  await page.locator('.error-summary').getByText('请先勾选同意处理身份证号码和身份证照片。').waitFor();
  await page.locator('.error-summary').getByText('请选择身份证人像面的照片。').waitFor();

  await page.getByLabel(/我同意为实名认证处理/).check();
  // The sides have the uploader of the materials: a sample, the preview, 重新选择.
  await page.locator('#material-portrait img[alt="身份证人像面示例"]').waitFor();
  await pickSide(page, 'portrait', card.portrait);
  // The same photo on both sides is caught before anything is sent.
  await pickSide(page, 'emblem', card.portrait);
  await page.getByRole('button', { name: '上传并识别' }).click();
  await page.locator('#material-emblem-error').getByText(/身份证人像面和国徽面选择了同一张照片/).waitFor();
  await pickSide(page, 'emblem', card.emblem);
  await page.locator('#material-emblem .uploader__preview').waitFor();
  await expectAccessible(page);
  await page.getByRole('button', { name: '上传并识别' }).click();
  // What was wrong before is not left beside the progress.
  assert.equal(await page.locator('.error-summary').count(), 0, 'the answered errors are gone');

  // The fields read, for the owner to confirm: the full number only here.
  const name = page.getByLabel('姓名', { exact: true });
  await name.waitFor({ timeout: 30_000 });
  assert.equal(await name.inputValue(), '王建国');
  assert.equal(await page.getByLabel('公民身份号码').inputValue(), '150102198506151234');
  assert.equal(await page.getByLabel('有效期至').inputValue(), '2036-05-20');
  await expectAccessible(page);

  await page.getByRole('button', { name: '提交审核' }).click();
  await page.getByRole('heading', { name: '已完成实名认证' }).waitFor();
  await page.getByText('王*国 1501**********1234').waitFor();
  assert.equal(await page.getByText('150102198506151234').count(), 0);
  await expectAccessible(page);

  // Verified, he goes back to the application he started, at the step he was sent from: the
  // wizard asks for the notice first (it was never agreed to here).
  await page.getByRole('link', { name: '继续办理从业资格证换发' }).click();
  await page.waitForURL((url) => url.pathname === '/apply/renewal/certificate');
  await page.getByText('请先阅读业务须知并点击“同意并确认”。').waitFor();
});

e2e(
  'an expired card, a wrong number and a file that is no photo are refused with what to do',
  async ({ page, server }) => {
    const expired = drawIdCard({ expired: true });
    await logIn(page, server, '13812345678');
    await open(page, server, 'realname');
    await page.getByLabel(/我同意为实名认证处理/).check();
    const refused = await pickSide(page, 'portrait', {
      name: 'card.jpg',
      mimeType: 'image/jpeg',
      buffer: Buffer.from('<html>not a photo</html>'),
    }, 'refused');
    await refused.getByText(/您选择的文件不是照片/).waitFor();
    await pickSide(page, 'emblem', expired.emblem);
    await page.getByRole('button', { name: '上传并识别' }).click();
    await page.locator('#material-portrait-error').getByText('请选择身份证人像面的照片。').waitFor();
    await expectAccessible(page);

    await pickSide(page, 'portrait', expired.portrait);
    await page.getByRole('button', { name: '上传并识别' }).click();
    await page.getByLabel('姓名', { exact: true }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: '提交审核' }).click();
    await page.locator('#valid_until-error').getByText('该身份证已于2016-05-20过期，请使用有效期内的身份证办理。').waitFor();

    await page.getByLabel('有效期至').fill('长期');
    await page.getByLabel('公民身份号码').fill('150102198506151235');
    await page.getByRole('button', { name: '提交审核' }).click();
    await page.locator('#id_number-error').getByText('身份证号码最后一位校验码不正确').waitFor();
    await expectAccessible(page);
    assert.equal(await page.getByLabel('姓名', { exact: true }).inputValue(), '王建国', 'nothing typed is lost');
  },
);

e2e(
  'a session that ends mid-way asks for a login and returns with the choices kept',
  async ({ page, server, context }) => {
    const card = drawIdCard();
    await logIn(page, server, '13812345678');
    // In-app navigation, as a driver goes: 我的 → 实名认证.
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '我的', exact: true }).click();
    await page.getByRole('link', { name: /实名认证/ }).click();
    await page.getByLabel(/我同意为实名认证处理/).check();
    await pickSide(page, 'portrait', card.portrait);
    await pickSide(page, 'emblem', card.emblem);
    // The session ends on the server's side (idle timeout, logout elsewhere).
    await context.clearCookies();
    await page.getByRole('button', { name: '上传并识别' }).click();
    await page.getByRole('heading', { name: '请先登录' }).waitFor();
    await page.getByRole('link', { name: '去登录' }).click();
    await page.getByLabel('验证码').fill(await askForCode(page, server, '13912345678'));
    await page.getByRole('button', { name: '提交验证' }).click();
    await page.getByRole('heading', { name: '实名认证', level: 1 }).waitFor();
    assert.match(page.url(), /\/realname$/);
    assert.ok(await page.getByLabel(/我同意为实名认证处理/).isChecked());
    await page.locator('#material-portrait .uploader__status', { hasText: '已选好' }).waitFor();
    await page.locator('#material-portrait .uploader__preview').waitFor();
    await page.getByRole('button', { name: '上传并识别' }).click();
    await page.getByLabel('姓名', { exact: true }).waitFor({ timeout: 30_000 });
  },
  { allowConsoleErrors: [/status of 401/] },
);

e2e('a rejected verification shows the reason and lets the driver submit again', async ({ page, server }) => {
  await logIn(page, server, '13812345678');
  // A clerk's rejection (the clerk console comes with the cases issue).
  await page.route('**/api/v1/realname', (route) =>
    route.fulfill({
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({ status: 'rejected', id_number_masked: '1501**********1234', name_masked: '王*国', reason: '照片模糊，请重新拍摄' }),
    }),
  );
  await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '我的', exact: true }).click();
  await page.getByRole('link', { name: /实名认证/ }).click();
  await page.getByRole('heading', { name: '实名认证未通过' }).waitFor();
  await page.getByText('原因：照片模糊，请重新拍摄').waitFor();
  await page.getByRole('button', { name: '上传并识别' }).waitFor();
  await expectAccessible(page);
});

e2e('an ID card photo below the minimum is refused on the phone before anything is sent; a blurred one goes with advice', async ({ page, server }) => {
  const card = drawIdCard();
  const photos = drawPhotos();
  await logIn(page, server, '13812345678');
  await open(page, server, 'realname');
  const sent = [];
  page.on('request', (request) => /realname\/id-card/.test(request.url()) && sent.push(request.url()));
  await page.getByLabel(/我同意为实名认证处理/).check();
  const refused = await pickSide(page, 'portrait', await drawnPng(page, 400, 300), 'refused');
  await refused.getByText(/照片只有400×300像素/).waitFor();
  await page.locator('#material-portrait .uploader__refused').waitFor();
  await pickSide(page, 'emblem', card.emblem);
  assert.equal(sent.length, 0, 'nothing was uploaded');
  // A blurred photo in its place waits with the advice and the two choices; 上传并识别 says
  // to choose first; 仍然使用这张 sends it, and the advice shows again above the fields read,
  // beside 重新上传.
  await pickSide(page, 'portrait', photos.blurry, 'advice');
  await page.locator('#material-portrait .uploader__advice').getByText(/照片有些模糊/).waitFor();
  await page.getByRole('button', { name: '上传并识别' }).click();
  await page.locator('#material-portrait-error').getByText(/身份证人像面的照片有提示/).waitFor();
  assert.equal(sent.length, 0, 'nothing was uploaded');
  await page.locator('#material-portrait').getByRole('button', { name: '仍然使用这张' }).click();
  await page.getByRole('button', { name: '上传并识别' }).click();
  await page.getByLabel('姓名', { exact: true }).waitFor({ timeout: 30_000 });
  await page.locator('.realname-advice').getByText(/身份证人像面：照片有些模糊/).waitFor();
  await page.getByRole('button', { name: '重新上传' }).waitFor();
  assert.equal(sent.length, 1);
  await expectAccessible(page);
});

e2e(
  'an ID number verified on the old phone moves that account to the new phone with a code sent to the old one',
  async ({ page, server, context }) => {
    // The old phone: verified, with a case.
    await logInVerified(page, server, '13812345678');
    const oldLogin = Date.now();
    const kase = await submitCase(page, server, 'renewal');
    // Another phone: no cookie, nothing in the browser's storage.
    await context.clearCookies();
    await page.evaluate(() => {
      sessionStorage.clear();
      localStorage.clear();
    });

    // The new phone verifies the same card.
    const card = drawIdCard();
    await logIn(page, server, '13700001111');
    await open(page, server, 'realname');
    await page.getByLabel(/我同意为实名认证处理/).check();
    await pickSide(page, 'portrait', card.portrait);
    await pickSide(page, 'emblem', card.emblem);
    await page.getByRole('button', { name: '上传并识别' }).click();
    await page.getByLabel('姓名', { exact: true }).waitFor({ timeout: 30_000 });
    await page.getByLabel('姓名', { exact: true }).fill('王建国');
    await page.getByLabel('公民身份号码').fill('150102198506151234');
    await page.getByRole('button', { name: '提交审核' }).click();
    const panel = page.locator('#account-move');
    await panel.getByText(/该身份证号码已在手机号为138\*\*\*\*5678的账户上完成实名认证/).waitFor();
    await page.getByRole('button', { name: '原手机号已不用，申请人工审核' }).waitFor();
    assert.equal(await page.getByLabel('姓名', { exact: true }).inputValue(), '王建国', 'nothing typed is lost');
    await expectAccessible(page);

    // A number waits 60 s between codes: the old number had its login code at the start.
    const wait = oldLogin + 61_000 - Date.now();
    if (wait > 0) await page.waitForTimeout(wait);
    await page.getByRole('button', { name: '转移账户到本手机号' }).click();
    await panel.getByText('验证码已发送至138****5678，请输入短信中的6位验证码。').waitFor();
    await page.getByRole('button', { name: /秒后可重新发送/ }).waitFor();
    await expectAccessible(page);
    await panel.getByLabel('验证码').fill(await outboxCode(page, server, '13812345678'));
    await page.getByRole('button', { name: '确认转移' }).click();

    // Home, as the old account with the new number: verified, with its case.
    await page.getByRole('heading', { name: '服务事项' }).waitFor();
    const session = await api(page, server, 'GET', '/auth/session');
    assert.deepEqual([session.me.phone_masked, session.me.realname_status], ['137****1111', 'approved']);
    await open(page, server, 'cases');
    await page.getByText(kase.id).waitFor();
  },
  { allowConsoleErrors: [/status of 409/] },
);
