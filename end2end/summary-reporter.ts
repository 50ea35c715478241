// Prints a closing line "N passed, N failed, N skipped" that CI reads, as it does cargo's.
import type { FullResult, Reporter, TestCase, TestResult } from "@playwright/test/reporter";

class SummaryReporter implements Reporter {
  private passed = 0;
  private failed = 0;
  private skipped = 0;

  onTestEnd(_test: TestCase, result: TestResult) {
    if (result.status === "passed") this.passed++;
    else if (result.status === "skipped") this.skipped++;
    else this.failed++;
  }

  onEnd(_result: FullResult) {
    console.log(`playwright: ${this.passed} passed, ${this.failed} failed, ${this.skipped} skipped`);
  }

  printsToStdio() {
    return false;
  }
}

export default SummaryReporter;
