// `make bench`: the size of every file in dist/ (raw, gzip -9, brotli q11) and the total the
// first screen downloads (index.html, config.json, and every file index.html references).
// Prints figures; it is not a test and has no thresholds.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const dist = process.argv[2] ?? 'dist';

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

function sizes(path) {
  const bytes = readFileSync(path);
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }).length,
  };
}

const kb = (n) => (n / 1024).toFixed(1).padStart(9);
const index = readFileSync(join(dist, 'index.html'), 'utf8');
const referenced = new Set(
  [...index.matchAll(/(?:href|src|module_or_path:)\s*=?\s*["']\.?\/?([^"']+)["']/g)]
    .map((m) => m[1])
    .concat([...index.matchAll(/from\s+'\.?\/?([^']+)'/g)].map((m) => m[1])),
);
referenced.add('index.html');
referenced.add('config.json');

const rows = files(dist)
  .filter((path) => !relative(dist, path).startsWith('.stage'))
  .map((path) => ({ name: relative(dist, path), ...sizes(path) }))
  .sort((a, b) => b.raw - a.raw);

console.log(`${'file'.padEnd(44)} ${'raw KiB'.padStart(9)} ${'gzip KiB'.padStart(9)} ${'br KiB'.padStart(9)}  first screen`);
const total = { raw: 0, gzip: 0, brotli: 0 };
const first = { raw: 0, gzip: 0, brotli: 0 };
for (const row of rows) {
  const onFirstScreen = referenced.has(row.name);
  for (const key of Object.keys(total)) {
    total[key] += row[key];
    if (onFirstScreen) first[key] += row[key];
  }
  console.log(`${row.name.padEnd(44)} ${kb(row.raw)} ${kb(row.gzip)} ${kb(row.brotli)}  ${onFirstScreen ? 'yes' : ''}`);
}
console.log(`${'all files'.padEnd(44)} ${kb(total.raw)} ${kb(total.gzip)} ${kb(total.brotli)}`);
console.log(`${'first screen'.padEnd(44)} ${kb(first.raw)} ${kb(first.gzip)} ${kb(first.brotli)}`);
console.log(`first-screen brotli total: ${first.brotli} bytes (${(first.brotli / 1024).toFixed(1)} KiB)`);
