// Prints vitest's JSON report as the one count line CI reads: "N passed, N failed[, N skipped]".
// A file whose hook or import failed has no failed test (its tests are skipped), yet the run
// failed: it counts as one failure, so the line never says "0 failed" for a red run.
// Exit code 1 on any failure or when no test ran. Usage: node vitest-counts.cjs <report.json> [label]
const fs = require('node:fs');

function counts(file) {
  const r = JSON.parse(fs.readFileSync(file, 'utf8'));
  const brokenFiles = r.testResults.filter((f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed')).length;
  return { passed: r.numPassedTests, failed: r.numFailedTests + brokenFiles, skipped: r.numPendingTests + (r.numTodoTests ?? 0), total: r.numTotalTests };
}

module.exports = { counts };

if (require.main === module) {
  let c;
  try {
    c = counts(process.argv[2]);
  } catch (err) {
    console.log(`vitest report unreadable (${err.message})`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  console.log(`${c.passed} passed, ${c.failed} failed` + (c.skipped ? `, ${c.skipped} skipped` : ''));
  process.exit(c.failed > 0 || c.total === 0 ? 1 : 0);
}
