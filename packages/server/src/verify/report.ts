/** The text report of `jifen verify`: one line per check (Chinese, then English), then the first differences. */
import type { VerifyCheck } from "./checks.ts";
import type { TimedCheck, VerifyResult } from "./verify.ts";

const TITLES: Record<VerifyCheck["name"], { zh: string; en: string; unit: string }> = {
  balances: { zh: "余额与流水重算一致", en: "balances recomputed from the postings", unit: "balances" },
  transactions: { zh: "每笔流水按资产借贷平衡", en: "transactions balanced per asset", unit: "transactions" },
  postings: { zh: "每条分录都属于存在的流水", en: "postings belong to a transaction", unit: "postings" },
  equity: { zh: "增值积分数据与流水一致", en: "equity figures against the ledger", unit: "figures" },
  settlements: { zh: "日结记录合计与流水一致", en: "settlement totals against their ledger", unit: "totals" },
};

const int = (n: number): string => n.toLocaleString("en-US");

function checkLine(c: TimedCheck): string {
  const t = TITLES[c.name];
  const mark = c.differing === 0 ? "OK  " : "FAIL";
  const zh =
    c.differing === 0 ? `${int(c.checked)} 项一致` : `${int(c.checked)} 项中 ${int(c.differing)} 项不一致`;
  const en =
    c.differing === 0
      ? `${int(c.checked)} ${t.unit} agree`
      : `${int(c.differing)} of ${int(c.checked)} ${t.unit} differ`;
  return `${mark} ${t.zh}：${zh} / ${t.en}: ${en} (${(c.ms / 1000).toFixed(1)} s)`;
}

/** The report as `jifen verify` prints it. */
export function formatVerifyReport(result: VerifyResult): string {
  const lines = result.checks.map(checkLine);
  for (const c of result.checks) {
    if (c.samples.length === 0) continue;
    lines.push(
      "",
      `${TITLES[c.name].zh} / ${TITLES[c.name].en} — 前 ${c.samples.length} 项差异 / first differences:`,
    );
    lines.push("  subject\tstored 存储值\trecomputed 重算值");
    for (const d of c.samples)
      lines.push(`  ${d.subject}\t${d.stored ?? "(none 无)"}\t${d.recomputed ?? "(none 无)"}`);
  }
  lines.push(
    "",
    result.ok
      ? `全部一致（${(result.durationMs / 1000).toFixed(1)} 秒）。/ Everything agrees (${(result.durationMs / 1000).toFixed(1)} s).`
      : '发现差异：存储的数据与账本流水不一致，请先查明原因（见 docs/server.md「Verify」）。/ Differences found: the stored figures disagree with the ledger; find the cause first (docs/server.md, "Verify").',
  );
  return lines.join("\n");
}
