// `make bench`: the size of every file in dist/ (raw, gzip -9, brotli q11, as the build
// precompressed them) and what each app's first screen downloads (scripts/first-screen.mjs).
// Prints figures; the budgets are tests (tests/e2e/budget.test.mjs).

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ENTRIES, firstScreen, total } from './first-screen.mjs';

const dist = process.argv[2] ?? 'dist';

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

const size = (path) => (existsSync(path) ? statSync(path).size : null);
const kb = (n) => (n === null ? '-' : (n / 1024).toFixed(1)).padStart(9);

const rows = files(dist)
  .filter((path) => !relative(dist, path).startsWith('.stage') && !/\.(br|gz)$/.test(path))
  .map((path) => ({ name: relative(dist, path), raw: statSync(path).size, gzip: size(`${path}.gz`), brotli: size(`${path}.br`) }))
  .sort((a, b) => b.raw - a.raw);

console.log(`${'file'.padEnd(48)} ${'raw KiB'.padStart(9)} ${'gzip KiB'.padStart(9)} ${'br KiB'.padStart(9)}`);
for (const row of rows) {
  console.log(`${row.name.padEnd(48)} ${kb(row.raw)} ${kb(row.gzip)} ${kb(row.brotli)}`);
}
for (const [app, page] of Object.entries(ENTRIES)) {
  const first = firstScreen(dist, page);
  console.log(`\nfirst screen of ${app} (${page}):`);
  for (const file of first) console.log(`  ${file.name.padEnd(46)} ${kb(file.raw)} ${''.padStart(9)} ${kb(file.brotli)}`);
  console.log(`  ${'total'.padEnd(46)} ${kb(total(first, 'raw'))} ${''.padStart(9)} ${kb(total(first, 'brotli'))}`);
  console.log(`first-screen brotli total of ${app}: ${total(first, 'brotli')} bytes`);
}
