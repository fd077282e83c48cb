// `make bench`, the photo half: our pipeline (the worker's wasm from dist/) against
// browser-image-compression 2.0.2 (from node_modules, served locally, its worker on) in one
// headless Chromium, on a generated 12 MP camera JPEG (EXIF orientation 6), a 50 MP camera JPEG
// (decoded at 1/4 scale) and an 8 MP PNG, all to a 2048 px long side and 1 MB. Prints the median
// time ratio, the output-bytes ratio, each output's SSIM against the upright original,
// main-thread long tasks, the worker's wasm memory after each photo (when the worker reports
// `memory_bytes`), the quality checks' rates per check and per kind on both labelled sets,
// the native time and peak heap on 12, 50 and 200 MP, and the bytes the worker adds. Prints
// figures; no thresholds.
//
// usage: node scripts/bench-photos.mjs DIST PHOTO_BENCH_BINARY

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, resolve } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import { chromium } from 'playwright-core';

const [dist = 'dist', tool = 'target/release/examples/photo-bench'] = process.argv.slice(2);
const work = resolve('target/bench-photos');
mkdirSync(work, { recursive: true });
const RUNS = 5;

const quiet = (args) => execFileSync(tool, args, { encoding: 'utf8', maxBuffer: 1 << 26 }).split('\n').filter((l) => !l.includes('misjudged')).join('\n');
console.log(quiet(['rates', '--quick']));
console.log(quiet(['decode']));
execFileSync(tool, ['inputs', work]);

const inputs = [
  { name: 'camera-12mp-orientation6.jpg', type: 'image/jpeg', original: 'camera-12mp-upright.png' },
  { name: 'camera-50mp.jpg', type: 'image/jpeg', original: 'camera-50mp.png' },
  { name: 'screenshot-8mp.png', type: 'image/png', original: 'screenshot-8mp.png' },
];
const roots = {
  '/app/': resolve(dist),
  '/bic/': resolve('node_modules/browser-image-compression/dist'),
  '/in/': work,
};
const types = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html', '.jpg': 'image/jpeg', '.png': 'image/png' };
const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  if (path === '/bench.html') {
    res.writeHead(200, { 'content-type': 'text/html' });
    return res.end('<!doctype html><meta charset="utf-8"><script src="/bic/browser-image-compression.js"></script>');
  }
  const prefix = Object.keys(roots).find((p) => path.startsWith(p));
  try {
    const body = readFileSync(join(roots[prefix], path.slice(prefix.length)));
    res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
const page = await browser.newPage();
await page.goto(`${origin}/bench.html`);
await page.evaluate(async () => {
  window.longTasks = 0;
  new PerformanceObserver((list) => (window.longTasks += list.getEntries().filter((e) => e.duration > 50).length)).observe({
    type: 'longtask',
    buffered: false,
  });
  // The SIMD build, which Chromium (and Android WebView, iOS 16.4+) runs.
  window.worker = new Worker('/app/photo_worker_simd_loader.js');
  await new Promise((r) => (window.worker.onmessage = (e) => e.data === 'ready' && r()));
  window.ours = async (file) => {
    const bytes = await file.arrayBuffer();
    const reply = await new Promise((r) => {
      window.worker.onmessage = (e) => r(e.data);
      window.worker.postMessage(
        { id: 1, bytes: new Uint8Array(bytes), kind: 'document', min_width: 0, min_height: 0, max_side: 2048, max_bytes: 1024 * 1024 },
        [bytes],
      );
    });
    if (!reply.ok) throw new Error(reply.message);
    // The worker's wasm memory after the photo, if it reports it: its peak, as wasm memory
    // only grows.
    if (reply.memory_bytes) window.workerMemory = Math.max(window.workerMemory ?? 0, reply.memory_bytes);
    return new Blob([reply.jpeg], { type: 'image/jpeg' });
  };
  window.anchor = (file) =>
    // JPEG out for the PNG too, as ours: left alone it keeps a PNG a PNG.
    imageCompression(file, {
      maxSizeMB: 1,
      maxWidthOrHeight: 2048,
      useWebWorker: true,
      fileType: 'image/jpeg',
      libURL: '/bic/browser-image-compression.js',
    });
});

const results = [];
for (const input of inputs) {
  const row = await page.evaluate(
    async ({ url, type, name, runs }) => {
      const blob = await (await fetch(url)).blob();
      const file = new File([blob], name, { type });
      const time = async (fn) => {
        const start = performance.now();
        const out = await fn(file);
        return { ms: performance.now() - start, out };
      };
      window.workerMemory = 0;
      await time(window.ours); // warm-up: the worker's first call pays for its memory
      await time(window.anchor);
      const ours = [];
      const anchor = [];
      // Long tasks are counted for each pipeline apart: the observer reports a task after it
      // ends, so each run is followed by a short pause before the count is read.
      const settle = () => new Promise((r) => setTimeout(r, 100));
      let oursLong = 0;
      let anchorLong = 0;
      for (let i = 0; i < runs; i++) {
        await settle();
        window.longTasks = 0;
        ours.push(await time(window.ours));
        await settle();
        oursLong += window.longTasks;
        window.longTasks = 0;
        anchor.push(await time(window.anchor));
        await settle();
        anchorLong += window.longTasks;
      }
      const base64 = async (b) => {
        const bytes = new Uint8Array(await b.arrayBuffer());
        let s = '';
        for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        return btoa(s);
      };
      return {
        ours: ours.map((r) => r.ms),
        anchor: anchor.map((r) => r.ms),
        oursBytes: ours[0].out.size,
        anchorBytes: anchor[0].out.size,
        oursJpeg: await base64(ours[0].out),
        anchorJpeg: await base64(anchor[0].out),
        longTasks: oursLong,
        anchorLongTasks: anchorLong,
        inputBytes: file.size,
        workerMemory: window.workerMemory,
      };
    },
    { url: `${origin}/in/${input.name}`, type: input.type, name: input.name, runs: RUNS },
  );
  const oursPath = join(work, `ours-${input.name}.jpg`);
  const anchorPath = join(work, `anchor-${input.name}.jpg`);
  writeFileSync(oursPath, Buffer.from(row.oursJpeg, 'base64'));
  writeFileSync(anchorPath, Buffer.from(row.anchorJpeg, 'base64'));
  const ssim = Object.fromEntries(
    execFileSync(tool, ['ssim', join(work, input.original), oursPath, anchorPath], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((line) => line.split('\t'))
      .map(([path, value]) => [path, Number(value)]),
  );
  results.push({ ...input, ...row, oursSsim: ssim[oursPath], anchorSsim: ssim[anchorPath] });
}
await browser.close();
server.close();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`\nphoto pipeline against browser-image-compression 2.0.2 (web worker, 2048 px, 1 MB), median of ${RUNS} runs after a warm-up:`);
console.log(`${'input'.padEnd(30)} ${'ours ms'.padStart(8)} ${'anchor'.padStart(8)} ${'ratio'.padStart(6)} ${'ours KB'.padStart(8)} ${'anchor'.padStart(8)} ${'ratio'.padStart(6)} ${'SSIM ours'.padStart(10)} ${'anchor'.padStart(7)} ${'long tasks'.padStart(10)} ${'anchor'.padStart(7)}`);
for (const r of results) {
  const [ours, anchor] = [median(r.ours), median(r.anchor)];
  console.log(
    `${r.name.padEnd(30)} ${ours.toFixed(0).padStart(8)} ${anchor.toFixed(0).padStart(8)} ${(ours / anchor).toFixed(2).padStart(6)} ` +
      `${(r.oursBytes / 1024).toFixed(0).padStart(8)} ${(r.anchorBytes / 1024).toFixed(0).padStart(8)} ${(r.oursBytes / r.anchorBytes).toFixed(2).padStart(6)} ` +
      `${r.oursSsim.toFixed(4).padStart(10)} ${r.anchorSsim.toFixed(4).padStart(7)} ${String(r.longTasks).padStart(10)} ${String(r.anchorLongTasks).padStart(7)}`,
  );
}
const ratios = results.flatMap((r) => r.ours.map((ms, i) => ms / r.anchor[i]));
for (const r of results) {
  console.log(`${r.name}: ${(r.inputBytes / 1048576).toFixed(1)} MB in; the worker's wasm memory ${r.workerMemory ? `${(r.workerMemory / 1048576).toFixed(0)} MiB` : 'not reported'}`);
}
console.log(`median time ratio over the photos ${median(ratios).toFixed(2)} (target <= 0.7); main-thread long tasks over 50 ms while ours processed: ${results.reduce((n, r) => n + r.longTasks, 0)} (target 0; the anchor's: ${results.reduce((n, r) => n + r.anchorLongTasks, 0)})`);
console.log(`bytes ratio ${results.map((r) => (r.oursBytes / r.anchorBytes).toFixed(2)).join(' / ')} (target <= 1.0) at SSIM ${results.map((r) => (r.oursSsim - r.anchorSsim).toFixed(4)).join(' / ')} against the anchor's (target >= -0.005)`);

const brotli = (name) =>
  brotliCompressSync(readFileSync(join(dist, name)), { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
// A phone fetches one of the two builds, on the first photo only.
for (const build of ['photo_worker', 'photo_worker_simd']) {
  const worker = readdirSync(dist).filter((name) => [`${build}.js`, `${build}_bg.wasm`, `${build}_loader.js`].includes(name));
  const raw = worker.reduce((n, name) => n + readFileSync(join(dist, name)).length, 0);
  const br = worker.reduce((n, name) => n + brotli(name), 0);
  console.log(`the worker (${worker.join(', ')}) adds ${(raw / 1024).toFixed(0)} KiB raw, ${(br / 1024).toFixed(0)} KiB brotli, fetched on the first photo only`);
}
