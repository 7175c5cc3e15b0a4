/**
 * `jifen compliance`: the compliance report (docs/compliance.md) of a parameter
 * file, or of the set in force in the server's database, as text (Chinese, or
 * English with --lang en) or JSON.
 */
import {
  type ComplianceReportJson,
  type Config,
  complianceReport,
  complianceReportJson,
  configFromInput,
  parseJsonLossless,
} from "@jifen/engine";

type Lang = "zh" | "en";
type Rule = ComplianceReportJson["rules"][number];

const yesNo = (lang: Lang, value: boolean) => (lang === "zh" ? (value ? "是" : "否") : value ? "yes" : "no");

function generationsText(lang: Lang, rule: Rule): string {
  if (!rule.applies) return lang === "zh" ? "不适用" : "off";
  if (rule.generations === null) return lang === "zh" ? "不限" : "unbounded";
  return String(rule.generations);
}

const HEAD: Record<Lang, string[]> = {
  zh: ["奖励", "代数", "团队计酬", "拉人头", "入门费", "参数"],
  en: ["Rule", "Generations", "On others' purchases", "Recruiting", "Entry purchase", "Setting"],
};

/** Width of a string in a terminal: CJK characters take two columns. */
function width(text: string): number {
  let w = 0;
  for (const ch of text)
    w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(
      ch,
    )
      ? 2
      : 1;
  return w;
}

function table(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => width(r[c] ?? ""))));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (c === r.length - 1 ? cell : cell + " ".repeat((widths[c] ?? 0) - width(cell))))
        .join("  "),
    )
    .join("\n");
}

/** The report as text in one language. */
export function complianceText(report: ComplianceReportJson, lang: Lang, source: string): string {
  const rows = report.rules.map((r) => [
    lang === "zh" ? r.nameZh : r.nameEn,
    generationsText(lang, r),
    yesNo(lang, r.applies && r.onOthersPurchases),
    yesNo(lang, r.applies && r.onRecruiting),
    r.applies && r.entryPurchase
      ? `${yesNo(lang, true)}${r.entryMinAmount === null ? "" : lang === "zh" ? `（≥ ${r.entryMinAmount} 元）` : ` (≥ ${r.entryMinAmount} yuan)`}`
      : yesNo(lang, false),
    r.setting,
  ]);
  const title = lang === "zh" ? `合规报告（${source}）` : `Compliance report (${source})`;
  const notesTitle = lang === "zh" ? "说明" : "Notes";
  return [
    title,
    "",
    table([HEAD[lang], ...rows]),
    "",
    `${notesTitle}:`,
    ...report.notes.map((n) => `- ${lang === "zh" ? n.zh : n.en}`),
    "",
    lang === "zh" ? report.disclaimer.zh : report.disclaimer.en,
    "",
  ].join("\n");
}

/** Reads a parameter file: a patch over the defaults; a `withdrawal` section (server-only) is ignored. */
export function configFromFile(text: string): Config {
  const parsed = parseJsonLossless(text);
  if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
    const { withdrawal: _server, ...engineKeys } = parsed as Record<string, unknown>;
    return configFromInput(engineKeys).config;
  }
  return configFromInput(parsed).config;
}

/** The report of `config` in the requested form. */
export function complianceOutput(
  config: Config,
  form: { json: boolean; lang: Lang; source: string },
): string {
  const report = complianceReportJson(complianceReport(config));
  if (form.json) return `${JSON.stringify({ source: form.source, ...report }, null, 2)}\n`;
  return complianceText(report, form.lang, form.source);
}
