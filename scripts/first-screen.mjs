// What a browser downloads before an app's first screen: its entry page, config.json, and
// every script, wasm and stylesheet the page loads, each as the server sends it (the `.br` the
// build wrote beside it, or the file itself where there is none). Shared by `make bench`
// (scripts/bench-sizes.mjs) and the size budget test (tests/e2e/budget.test.mjs).

import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, posix } from 'node:path';

/** The entry pages (taxicert_api::ENTRY_PAGES), relative to dist/, by what they hold. */
export const ENTRIES = {
  'the front (首页, 登录)': 'index.html',
  "the driver's work (实名认证, 申请, 我的办件)": 'driver/index.html',
  "the clerks' console": 'staff/index.html',
};

/**
 * The files of the first screen of the entry page `page` (relative to `dist`): paths
 * relative to dist/, in the order the page names them, each with its `raw` size and the
 * `brotli` bytes the server sends.
 */
export function firstScreen(dist, page) {
  const html = readFileSync(join(dist, page), 'utf8');
  // Trunk writes links with href, the loader's `import … from '…'` and its `module_or_path`;
  // every URL is relative to the <base>, which is dist/ itself for every entry page.
  const urls = [
    ...[...html.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => m[1]),
    ...[...html.matchAll(/from\s+'([^']+)'/g)].map((m) => m[1]),
    ...[...html.matchAll(/module_or_path:\s*'([^']+)'/g)].map((m) => m[1]),
  ];
  const names = new Set([page, 'config.json']);
  for (const url of urls) {
    if (/^[a-z]+:|^\/\/|^#/.test(url)) continue;
    const name = posix.normalize(url.replace(/^\.\//, '').split(/[?#]/)[0]);
    if (['.js', '.wasm', '.css'].includes(extname(name))) names.add(name);
  }
  return [...names].map((name) => {
    const path = join(dist, name);
    if (!existsSync(path)) throw new Error(`${page} loads ${name}, which is not in ${dist}`);
    const raw = statSync(path).size;
    const brotli = existsSync(`${path}.br`) ? statSync(`${path}.br`).size : raw;
    return { name, raw, brotli };
  });
}

/** The sum of `key` over `files`. */
export const total = (files, key) => files.reduce((sum, f) => sum + f[key], 0);
