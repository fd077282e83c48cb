// Every driver page in each way a driver may see it: at 320, 375 and 430 px; in 关怀模式
// (MIIT 《移动互联网应用（App）适老化通用设计规范》: text ≥ 18 px, the largest ≥ 30 px, line
// height ≥ 1.3, touch targets ≥ 60 × 60 px); in the dark theme (prefers-color-scheme); and with
// every text at 200 % (WCAG 1.4.4, as WeChat's largest font setting does). axe-core checks
// each (contrast included); screenshots of each are kept under target/e2e/display/ for a
// person to look over.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  ARTIFACTS,
  e2e,
  expectAccessible,
  logIn,
  logInVerified,
  open,
  prepareDraft,
  prepareForReview,
  submitCase,
} from './harness.mjs';

const SHOTS = join(ARTIFACTS, 'display');
const WIDTHS = [320, 375, 430];

/**
 * Signs in as the pages need and calls `visit(name, path)` for each driver page: signed out,
 * then an unverified driver (实名认证), then a verified one with a draft and a case.
 */
async function everyPage(page, server, visit) {
  await visit('home', '');
  await visit('login', 'login');
  await visit('agreement', 'agreement/privacy');
  await logIn(page, server, '13800000101');
  await visit('realname', 'realname');
  // Another driver, on this phone: the first one's session ends.
  await page.context().clearCookies();
  await logInVerified(page, server, '13800000102');
  await visit('mine', 'login');
  await visit('notice', 'apply/renewal');
  await prepareDraft(page, server, 'change', 'personal_info');
  await visit('certificate', 'apply/change/certificate');
  await visit('info', 'apply/change/info');
  await visit('materials', 'apply/change/materials');
  await prepareForReview(page, server, 'renewal');
  await visit('review', 'apply/renewal/review');
  const kase = await submitCase(page, server, 'renewal');
  await visit('cases', 'cases');
  await visit('case', `cases/${kase.id}`);
}

/** Opens the page and waits until it has drawn what it loads. */
async function show(page, server, path) {
  await open(page, server, path);
  await page.locator('h1').first().waitFor();
  await page.waitForLoadState('networkidle').catch(() => {});
  await page.locator('.weui-loading').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => {});
}

async function shoot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** How wide the page is at `width` px: wider than the screen is a sideways scroll. */
async function sideways(page, width) {
  const height = page.viewportSize().height;
  await page.setViewportSize({ width, height });
  await page.waitForTimeout(50);
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  return scrollWidth > width ? [`${width} px: the page is ${scrollWidth} px wide`] : [];
}

/** The texts that are clipped: a box that hides what does not fit and has more than it shows. */
function clippedTexts() {
  const found = [];
  for (const element of document.querySelectorAll('body *')) {
    const style = getComputedStyle(element);
    if (!element.textContent.trim() || style.display === 'none' || element.closest('.visually-hidden')) continue;
    const hides = (o) => o === 'hidden' || o === 'clip';
    if (hides(style.overflowY) && element.scrollHeight > element.clientHeight + 2) {
      found.push(`clipped vertically: <${element.tagName.toLowerCase()} class="${element.className}"> “${element.textContent.trim().slice(0, 30)}”`);
    }
    if (hides(style.overflowX) && style.textOverflow !== 'ellipsis' && element.scrollWidth > element.clientWidth + 2) {
      found.push(`clipped sideways: <${element.tagName.toLowerCase()} class="${element.className}"> “${element.textContent.trim().slice(0, 30)}”`);
    }
  }
  return found;
}

/** 关怀模式's measures on the page as drawn (see the file's head). */
function careProblems() {
  const problems = [];
  const visible = (element) => {
    if (element.closest('.visually-hidden, [hidden], [aria-hidden="true"]')) return false;
    const box = element.getBoundingClientRect();
    // On the page, not parked off it (the skip link until it is focused).
    const onPage = box.right > 0 && box.bottom > -window.scrollY;
    return box.width > 0 && box.height > 0 && onPage && getComputedStyle(element).visibility !== 'hidden';
  };
  const label = (element) => `<${element.tagName.toLowerCase()} class="${element.className}"> “${(element.textContent || element.getAttribute('aria-label') || '').trim().slice(0, 24)}”`;
  // Text: the size and line height of each element that holds text itself.
  let largest = 0;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!node.textContent.trim() || seen.has(element) || !visible(element)) continue;
    seen.add(element);
    const style = getComputedStyle(element);
    const size = parseFloat(style.fontSize);
    largest = Math.max(largest, size);
    if (size < 18) problems.push(`text of ${size} px (< 18): ${label(element)}`);
    const lineHeight = style.lineHeight === 'normal' ? 0 : parseFloat(style.lineHeight);
    if (lineHeight < 1.3 * size - 0.5) problems.push(`line height ${style.lineHeight} for ${size} px text (< 1.3): ${label(element)}`);
  }
  if (largest < 30) problems.push(`the largest text is ${largest} px (< 30)`);
  // Targets: the box a finger hits, a control's label where it has one. A link inside a
  // sentence is exempt (WCAG 2.5.8's inline exception).
  for (const element of document.querySelectorAll('a[href], button, input:not([type="hidden"]), select, textarea, summary, [role="button"]')) {
    if (!visible(element) && !(element.type === 'file' || element.type === 'checkbox' || element.type === 'radio')) continue;
    // A box, a switch or a file is tapped through its label; a text field is tapped itself.
    const viaLabel = ['checkbox', 'radio', 'file'].includes(element.type);
    const tapped = viaLabel && (element.closest('label') || (element.id && document.querySelector(`label[for="${element.id}"]`)));
    const target = tapped || element;
    if (!visible(target)) continue;
    const style = getComputedStyle(element);
    // A link in a sentence: inline, beside words of its own parent.
    if (element.tagName === 'A' && style.display === 'inline' && element.children.length === 0) {
      const words = [...element.parentElement.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
      if (words) continue;
    }
    // A link around a block (a WeUI button or cell drawn in a link) is as large as the block.
    const boxes = [target, ...target.children].map((e) => e.getBoundingClientRect());
    const box = boxes.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
    if (box.width < 59.5 || box.height < 59.5) problems.push(`target ${Math.round(box.width)}×${Math.round(box.height)} px (< 60×60): ${label(target)}`);
  }
  return problems;
}

/** Doubles every text's size, as a 200 % system text size does to text set in px. */
function doubleText() {
  const sizes = [...document.querySelectorAll('body, body *')].map((e) => [e, parseFloat(getComputedStyle(e).fontSize)]);
  for (const [element, size] of sizes) element.style.setProperty('font-size', `${size * 2}px`, 'important');
}

/**
 * One mode's run over every page: `prepare` sets the mode up, `check` returns what is wrong
 * on a page (at the phone's own width, after the screenshots).
 */
function displayTest(mode, { prepare = async () => {}, check = async (_page, _name) => [], widths = WIDTHS, axe = true }) {
  e2e(`every driver page in ${mode}`, async ({ page, server }) => {
    await prepare(page);
    const problems = [];
    await everyPage(page, server, async (name, path) => {
      await show(page, server, path);
      for (const width of widths) {
        problems.push(...(await sideways(page, width)).map((p) => `${name} (${mode}): ${p}`));
        await shoot(page, `${name}-${mode}-${width}`);
      }
      await page.setViewportSize({ width: 375, height: 812 });
      problems.push(...(await check(page, name)).map((p) => `${name} (${mode}): ${p}`));
      if (axe) await expectAccessible(page);
    });
    assert.deepEqual(problems, [], problems.join('\n'));
  });
}

displayTest('normal', {});

displayTest('dark', {
  prepare: (page) => page.emulateMedia({ colorScheme: 'dark' }),
  check: async (page) => {
    // The ground really is dark (WeUI's and the app's colours both turned).
    const ground = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const [r, g, b] = ground.match(/\d+/g).map(Number);
    return r + g + b < 3 * 60 ? [] : [`the page's ground is ${ground}, not dark`];
  },
});

displayTest('care', {
  prepare: async (page) => {
    // As the switch leaves it (tested below): the boot script reads it before the first paint.
    await page.addInitScript(() => localStorage.setItem('taxicert.care', '1'));
  },
  check: (page) => page.evaluate(careProblems),
  widths: [320, 375],
});

displayTest('200% text', {
  check: async (page, name) => {
    await page.evaluate(doubleText);
    const problems = [...(await page.evaluate(clippedTexts)), ...(await sideways(page, 320))];
    await shoot(page, `${name}-200-320`);
    return problems;
  },
  widths: [],
  // The doubled sizes are set by the test, not the app: axe has checked these pages above.
  axe: false,
});

e2e('关怀模式 is switched on from 首页, stays on after a reload and is switched off from 我的', async ({ page, server }) => {
  await open(page, server, '');
  // Read in one step in the page, not through a locator: the app draws the list again in place
  // of the painted one, and a node found a moment before may be detached (no style, NaN).
  const sizeOf = (selector) => page.evaluate((s) => parseFloat(getComputedStyle(document.querySelector(s)).fontSize), selector);
  const before = await sizeOf('.business-list__name');
  assert.equal(before, 17, 'the service names are 17 px before');
  const careSwitch = page.getByRole('checkbox', { name: /关怀模式/ });
  await expect(careSwitch, false);
  // The row is the switch: tapping its words turns it on.
  await page.getByText('关怀模式', { exact: true }).click();
  await expect(careSwitch, true);
  // At once: the style follows the switch in the same instant.
  assert.ok((await sizeOf('.business-list__name')) >= 1.4 * before, 'the service names grow at once');
  await page.reload();
  await page.locator('#boot').waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.documentElement.hasAttribute('data-care')), true);
  await expect(page.getByRole('checkbox', { name: /关怀模式/ }), true);
  await logIn(page, server, '13800000103');
  await page.getByRole('link', { name: '我的', exact: true }).click();
  await page.getByRole('heading', { name: '我的' }).waitFor();
  await expect(page.getByRole('checkbox', { name: /关怀模式/ }), true);
  await page.getByRole('checkbox', { name: /关怀模式/ }).click();
  assert.equal(await page.evaluate(() => document.documentElement.hasAttribute('data-care')), false);
  assert.equal(await page.evaluate(() => localStorage.getItem('taxicert.care')), null);
  assert.ok(Math.abs((await sizeOf('.page-title')) - 20) < 0.5, 'the title is back to 20 px');
});

async function expect(checkbox, checked) {
  assert.equal(await checkbox.isChecked(), checked, `关怀模式 is ${checked ? 'on' : 'off'}`);
}
