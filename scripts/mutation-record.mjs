#!/usr/bin/env node
// Writes the record of one mutation run (docs/mutation-<date>*.json) from Stryker's JSON report:
// per file the mutants, the counts, the score and each survivor, with the commit measured.
// Usage: node scripts/mutation-record.mjs REPORT.json COMMIT "COMMAND" CONCURRENCY > record.json
// Several runs: call once per report and combine the records under "runs".
import { readFileSync } from "node:fs";

const [reportPath, commit, command, concurrency] = process.argv.slice(2);
if (!reportPath || !commit || !command) {
  console.error('usage: node scripts/mutation-record.mjs REPORT.json COMMIT "COMMAND" [CONCURRENCY]');
  process.exit(1);
}
const report = JSON.parse(readFileSync(reportPath, "utf8"));
const files = {};
for (const [name, file] of Object.entries(report.files).sort()) {
  const count = { Killed: 0, Survived: 0, Timeout: 0, NoCoverage: 0 };
  const survivors = [];
  for (const m of file.mutants) {
    if (m.status in count) count[m.status]++;
    if (m.status === "Survived" || m.status === "NoCoverage") {
      survivors.push({
        line: m.location.start.line,
        column: m.location.start.column,
        mutator: m.mutatorName,
        replacement: m.replacement ?? "",
        status: m.status,
      });
    }
  }
  const valid = count.Killed + count.Timeout + count.Survived + count.NoCoverage;
  const score = valid === 0 ? null : Math.round((10000 * (count.Killed + count.Timeout)) / valid) / 100;
  files[`packages/engine/${name}`] = { mutants: file.mutants.length, ...count, score, survivors };
}
const record = {
  commit,
  command,
  stryker: "9.6.1",
  node: process.version,
  settings: {
    FC_SEED: "20261129",
    JIFEN_PROPERTY_SCALE: "0.1",
    JIFEN_PROPERTY_NO_SHRINK: "1",
    concurrency: Number(concurrency ?? 2),
    coverageAnalysis: "perTest",
  },
  files,
};
console.log(JSON.stringify(record, null, 2));
