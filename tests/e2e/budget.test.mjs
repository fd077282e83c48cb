// The size budgets of the first screen (issue 14): deterministic byte counts of the built
// dist/, so a test and not a benchmark. Speed figures are in `make bench`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from 'node:zlib';
import { ROOT } from './harness.mjs';
import { firstScreen, total } from '../../scripts/first-screen.mjs';

const DIST = join(ROOT, 'dist');

/** A driver on a weak 4G link opening the app: index.html, config.json and every script, wasm and stylesheet. */
const FRONT_BUDGET = 250_000;
/** The clerks' console, on an office's link. */
const STAFF_BUDGET = 350_000;

const describe = (files) => files.map((f) => `${f.name}: ${f.brotli}`).join(', ');

test(`the first screen (首页, 登录) is at most ${FRONT_BUDGET} bytes of brotli`, () => {
  const files = firstScreen(DIST, 'index.html');
  assert.ok(files.some((f) => f.name.endsWith('.wasm')), `the app's wasm is counted: ${describe(files)}`);
  assert.ok(files.filter((f) => f.name.endsWith('.css')).length >= 2, `both stylesheets are counted: ${describe(files)}`);
  const bytes = total(files, 'brotli');
  assert.ok(bytes <= FRONT_BUDGET, `${bytes} bytes: ${describe(files)}`);
});

test(`the clerks' console loads at most ${STAFF_BUDGET} bytes of brotli`, () => {
  const files = firstScreen(DIST, 'staff/index.html');
  assert.ok(files.some((f) => f.name.startsWith('staff/') && f.name.endsWith('.wasm')), describe(files));
  const bytes = total(files, 'brotli');
  assert.ok(bytes <= STAFF_BUDGET, `${bytes} bytes: ${describe(files)}`);
});

test('each entry page loads its own code and no other entry\'s', () => {
  const code = (page) => firstScreen(DIST, page).map((f) => f.name).filter((name) => /\.(js|wasm)$/.test(name));
  const pages = ['index.html', 'driver/index.html', 'staff/index.html'];
  for (const page of pages) {
    const own = code(page);
    assert.equal(own.length, 2, `${page} loads one script and one wasm: ${own.join(', ')}`);
    for (const other of pages.filter((p) => p !== page)) {
      for (const name of own) assert.ok(!code(other).includes(name), `${other} loads ${page}'s ${name}`);
    }
  }
});

/** Brotli as scripts/precompress.mjs writes it. */
function brotli(path, bytes) {
  return brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      [constants.BROTLI_PARAM_MODE]: path.endsWith('.wasm') ? constants.BROTLI_MODE_GENERIC : constants.BROTLI_MODE_TEXT,
    },
  });
}

function everyFile(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? everyFile(path) : [path];
  });
}

test('every script, wasm, stylesheet and page has .br and .gz beside it that unpack to the same bytes', () => {
  const compressible = everyFile(DIST).filter((path) => /\.(js|wasm|css|html|json|tsv|svg)$/.test(path));
  assert.ok(compressible.length >= 10, compressible.join(', '));
  for (const path of compressible) {
    const bytes = readFileSync(path);
    for (const [suffix, unpack] of [['.br', brotliDecompressSync], ['.gz', gunzipSync]]) {
      if (!existsSync(path + suffix)) {
        // Only where compressing would not have made it smaller (a tiny config.json), as
        // scripts/precompress.mjs decides with the same settings.
        const packed = suffix === '.br' ? brotli(path, bytes) : gzipSync(bytes, { level: 9 });
        assert.ok(packed.length >= bytes.length, `${path}${suffix} is missing (${packed.length} < ${bytes.length} bytes)`);
        continue;
      }
      assert.deepEqual(unpack(readFileSync(path + suffix)), bytes, `${path}${suffix} is stale`);
    }
  }
});
