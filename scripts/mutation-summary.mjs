#!/usr/bin/env node
// Summarises Stryker's JSON report (packages/engine/reports/mutation/mutation.json by default):
// per file killed / timed out / survived / no coverage and the score, then each survivor.
// Usage: node scripts/mutation-summary.mjs [report.json ...]  (several reports: later ones win per file)
import { readFileSync } from "node:fs";

const paths = process.argv.slice(2);
if (paths.length === 0) paths.push("packages/engine/reports/mutation/mutation.json");
const files = {};
for (const path of paths) Object.assign(files, JSON.parse(readFileSync(path, "utf8")).files);

const rows = [];
const survivors = [];
const total = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, other: 0 };
for (const [name, file] of Object.entries(files).sort()) {
  const count = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, other: 0 };
  for (const m of file.mutants) {
    const status = m.status in count ? m.status : "other";
    count[status]++;
    total[status]++;
    if (m.status === "Survived" || m.status === "NoCoverage") {
      const line = file.source.split("\n")[m.location.start.line - 1]?.trim() ?? "";
      survivors.push(
        `${name}:${m.location.start.line} ${m.mutatorName} ${m.status} → ${m.replacement ?? ""} | ${line}`,
      );
    }
  }
  rows.push([name, count]);
}
const score = (c) => {
  const valid = c.Killed + c.Timeout + c.Survived + c.NoCoverage;
  return valid === 0 ? "n/a" : `${((100 * (c.Killed + c.Timeout)) / valid).toFixed(1)}%`;
};
console.log("| file | killed | timed out | survived | no coverage | score |");
console.log("|---|---:|---:|---:|---:|---:|");
for (const [name, c] of rows) {
  console.log(`| ${name} | ${c.Killed} | ${c.Timeout} | ${c.Survived} | ${c.NoCoverage} | ${score(c)} |`);
}
console.log(
  `| all | ${total.Killed} | ${total.Timeout} | ${total.Survived} | ${total.NoCoverage} | ${score(total)} |`,
);
if (process.env.SURVIVORS !== "0") {
  console.log("\nSurvivors:");
  for (const s of survivors) console.log(`- ${s}`);
}
