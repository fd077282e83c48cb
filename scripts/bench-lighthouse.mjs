// `make bench`: Lighthouse's mobile performance audit (simulated slow 4G, 4× CPU slowdown: its
// defaults) of the drivers' home and login pages and the clerks' console, served by the
// reference server from dist/, in Debian's Chromium. Nothing leaves the machine. Prints the
// median of three runs per page; a figure, not a test: the targets are in the README.
//
// The server is started as the end-to-end tests start it (tests/e2e/harness.mjs:
// target/debug/taxicert-server, a fresh database, dev mode).
//
// Usage: node scripts/bench-lighthouse.mjs [dist]

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServer } from '../tests/e2e/harness.mjs';

const dist = resolve(process.argv[2] ?? 'dist');
const RUNS = Number(process.env.LIGHTHOUSE_RUNS ?? 3);
const PAGES = [
  ['home', ''],
  ['login', 'login'],
  ['staff console', 'staff'],
];

function audit(url) {
  const out = mkdtempSync(join(tmpdir(), 'taxicert-lh-'));
  const report = join(out, 'report.json');
  const run = spawnSync('node_modules/.bin/lighthouse', [
    url,
    '--chrome-path=/usr/bin/chromium',
    '--chrome-flags=--headless=new --no-sandbox --disable-gpu',
    '--only-categories=performance',
    '--output=json',
    `--output-path=${report}`,
    '--quiet',
  ], { encoding: 'utf8', timeout: 180_000 });
  if (run.status !== 0) throw new Error(`lighthouse failed on ${url}:\n${run.stderr}`);
  const result = JSON.parse(readFileSync(report, 'utf8'));
  rmSync(out, { recursive: true, force: true });
  const a = result.audits;
  const requests = a['network-requests']?.details?.items ?? [];
  return {
    version: result.lighthouseVersion,
    score: Math.round(result.categories.performance.score * 100),
    fcp: a['first-contentful-paint'].numericValue,
    lcp: a['largest-contentful-paint'].numericValue,
    tbt: a['total-blocking-time'].numericValue,
    cls: a['cumulative-layout-shift'].numericValue,
    si: a['speed-index'].numericValue,
    bytes: requests.reduce((sum, r) => sum + (r.transferSize ?? 0), 0),
    requests: requests.length,
  };
}

// Lighthouse now and then fails to record a load's trace (NO_NAVSTART, "please run Lighthouse
// again"): such a run is run again, up to three times, rather than lose the page's figures.
function auditRetrying(url) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return audit(url);
    } catch (error) {
      if (attempt === 3 || !/run Lighthouse again/.test(error.message)) throw error;
      console.error(`(Lighthouse could not record ${url}; running it again)`);
    }
  }
}

const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];

const server = await startServer({ dist });
try {
  console.log(`Lighthouse mobile (simulated slow 4G, 4× CPU), median of ${RUNS} runs, ${server.url}`);
  console.log(`${'page'.padEnd(14)} ${'score'.padStart(5)} ${'FCP s'.padStart(6)} ${'LCP s'.padStart(6)} ${'TBT ms'.padStart(7)} ${'CLS'.padStart(6)} ${'SI s'.padStart(6)} ${'KB sent'.padStart(8)} ${'requests'.padStart(8)}`);
  let version = '';
  for (const [name, path] of PAGES) {
    const runs = [];
    for (let i = 0; i < RUNS; i += 1) runs.push(auditRetrying(new URL(path, server.url).href));
    version = runs[0].version;
    const m = (key) => median(runs.map((r) => r[key]));
    console.log(
      `${name.padEnd(14)} ${String(m('score')).padStart(5)} ${(m('fcp') / 1000).toFixed(2).padStart(6)} ${(m('lcp') / 1000).toFixed(2).padStart(6)} ` +
        `${m('tbt').toFixed(0).padStart(7)} ${m('cls').toFixed(3).padStart(6)} ${(m('si') / 1000).toFixed(2).padStart(6)} ` +
        `${(m('bytes') / 1000).toFixed(1).padStart(8)} ${String(m('requests')).padStart(8)}`,
    );
  }
  console.log(`(Lighthouse ${version}; targets: score ≥ 95, LCP ≤ 2.0 s on home and login)`);
} finally {
  await server.stop();
}
