// Adds up vitest JSON reports into the one closing line CI reads: "tests: N passed, N failed", after naming
// each failed test.
import { readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of process.argv.slice(2)) {
  try {
    const r = JSON.parse(readFileSync(file, 'utf8'));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + (r.numTodoTests ?? 0);
    // A file that failed outside its tests (it did not load, a beforeAll threw) reports its tests as
    // skipped or none at all; it is a failure all the same.
    for (const t of r.testResults) {
      // Named at the end so that the tail of a CI log says which test failed and why, not only how many.
      for (const a of t.assertionResults) {
        if (a.status !== 'failed') continue;
        const why = (a.failureMessages?.[0] ?? '').split('\n')[0];
        console.log(`failed: ${t.name.replace(process.cwd() + '/', '')} > ${a.fullName}\n  ${why}`);
      }
      if (t.status === 'failed' && !t.assertionResults.some((a) => a.status === 'failed')) {
        console.error(`failed outside its tests: ${t.name}${t.message ? `\n  ${t.message.split('\n')[0]}` : ''}`);
        failed += 1;
      }
    }
  } catch (err) {
    console.error(`cannot read ${file}: ${err.message}`);
    failed += 1;
  }
}
if (process.argv.length <= 2) failed += 1;
console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
