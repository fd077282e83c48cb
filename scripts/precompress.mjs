// Trunk's last post-build hook: writes `name.br` (brotli, quality 11) and `name.gz` (gzip -9)
// beside every text, script and wasm file of the build, so that neither the reference server
// nor a CDN compresses on the fly (which costs CPU on every request, and servers mostly do it
// at a low level: the wasm travelled as 575 KB instead of 459 KB). A variant that is not
// smaller than the file is not written; the server then sends the file itself.
//
// Usage: node scripts/precompress.mjs [folder or file…]   (default: $TRUNK_STAGING_DIR)

import { readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const targets = process.argv.length > 2 ? process.argv.slice(2) : [process.env.TRUNK_STAGING_DIR].filter(Boolean);
if (targets.length === 0) {
  console.error('usage: node scripts/precompress.mjs <folder or file…> (or run it as a Trunk hook)');
  process.exit(2);
}

// The types that compress; photos and fonts are compressed already.
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.wasm', '.css', '.json', '.svg', '.tsv', '.txt', '.map']);

function files(folder) {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

let written = 0;
for (const path of targets.flatMap((target) => (statSync(target).isDirectory() ? files(target) : [target]))) {
  if (!COMPRESSIBLE.has(extname(path))) continue;
  const bytes = readFileSync(path);
  const variants = {
    '.br': brotliCompressSync(bytes, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
        [constants.BROTLI_PARAM_MODE]: extname(path) === '.wasm' ? constants.BROTLI_MODE_GENERIC : constants.BROTLI_MODE_TEXT,
      },
    }),
    '.gz': gzipSync(bytes, { level: 9 }),
  };
  for (const [suffix, compressed] of Object.entries(variants)) {
    if (compressed.length < bytes.length) {
      writeFileSync(path + suffix, compressed);
      written += 1;
    } else {
      try { unlinkSync(path + suffix); } catch { /* none was there */ }
    }
  }
}
console.log(`precompress: ${written} .br/.gz files written in ${targets.join(' ')}`);
