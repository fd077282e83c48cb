// Trunk's post-build hook, before precompress.mjs: the entry page's app starts after the first
// paint. Trunk preloads the wasm from <head> and starts it as soon as the page is parsed; on a
// weak link that download (about 200 KB) competes with the render-blocking stylesheets, and
// the header, the service list or the login text that index.html paints wait for it
// (Lighthouse's LCP on the home page: 2.25 s with the preload, 0.90 s without). So the wasm
// preload goes, and the loader waits for one frame to be painted before it fetches the wasm.
//
// Usage: node scripts/start-after-paint.mjs [folder]   (default: $TRUNK_STAGING_DIR)

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('usage: node scripts/start-after-paint.mjs <folder> (or run it as a Trunk hook)');
  process.exit(2);
}

const page = join(dir, 'index.html');
let html = readFileSync(page, 'utf8');
const PRELOAD = /<link rel="preload" href="[^"]+_bg\.wasm"[^>]*>\s*/;
const START = 'const wasm = await init(';
const WAIT = 'await new Promise((painted) => requestAnimationFrame(() => setTimeout(painted)));\n';
if (!html.includes(WAIT)) {
  // Trunk 0.21's loader; a Trunk that writes another one must be looked at, not skipped.
  if (!PRELOAD.test(html) || html.split(START).length !== 2) {
    console.error(`start-after-paint: ${page} does not have Trunk 0.21's wasm preload and loader`);
    process.exit(1);
  }
  html = html.replace(PRELOAD, '').replace(START, WAIT + START);
  writeFileSync(page, html);
}
console.log(`start-after-paint: ${page}`);
