// Adds up vitest JSON reports into the one closing line CI reads: "tests: N passed, N failed".
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
    // A suite that failed to load has no failed tests but is a failure all the same.
    failed += r.testResults.filter((t) => t.status === 'failed' && t.assertionResults.length === 0).length;
  } catch (err) {
    console.error(`cannot read ${file}: ${err.message}`);
    failed += 1;
  }
}
if (process.argv.length <= 2) failed += 1;
console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
