#!/usr/bin/env node
// `npm run lint:firefox`: runs Mozilla's add-on linter (web-ext lint, offline) on the Firefox build and fails on
// any error, and on any warning that is not explained below. Run after `npm run build`.
import { spawnSync } from 'node:child_process';

/**
 * Warnings that stay, each with the reason. A warning is matched by its code and the file it is reported in.
 */
const EXPLAINED = [
  {
    code: 'UNSAFE_VAR_ASSIGNMENT',
    file: /^(content-scripts\/content\.js|chunks\/[\w-]+\.js)$/,
    why:
      "Preact's renderer assigns innerHTML only for `dangerouslySetInnerHTML`, which this code base never uses; " +
      'every text is rendered as text nodes.',
  },
];

const run = spawnSync(
  'npx',
  ['web-ext', 'lint', '--source-dir', '.output/firefox-mv3', '--output', 'json', '--no-input'],
  {
    encoding: 'utf8',
  },
);
let report;
try {
  report = JSON.parse(run.stdout);
} catch {
  console.error(run.stdout, run.stderr);
  console.error('web-ext lint did not produce a JSON report. Did `npm run build` run?');
  process.exit(1);
}

const unexplained = report.warnings.filter(
  (w) => !EXPLAINED.some((e) => e.code === w.code && e.file.test(w.file ?? '')),
);
for (const e of report.errors) console.error(`error   ${e.code} ${e.file ?? ''}: ${e.message}`);
for (const w of unexplained) console.error(`warning ${w.code} ${w.file ?? ''}: ${w.message}`);
for (const w of report.warnings.filter((x) => !unexplained.includes(x))) {
  const reason = EXPLAINED.find((e) => e.code === w.code)?.why;
  console.log(`explained warning ${w.code} ${w.file}: ${reason}`);
}
console.log(
  `web-ext lint: ${report.errors.length} errors, ${report.warnings.length} warnings (${unexplained.length} unexplained), ${report.notices.length} notices`,
);
process.exit(report.errors.length + unexplained.length > 0 ? 1 : 0);
