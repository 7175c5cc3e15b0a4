/**
 * A compliance report (docs/compliance.md) as the console shows it: one row per
 * reward rule (generations, 团队计酬, 拉人头, 入门费), the notes naming the PRC
 * rules, and the disclaimer. Used by the 合规报告 page and by the parameters
 * page for a draft.
 */
import type { Ok } from "@jifen/api-types";
import { Alert, Descriptions, Space, Table, Tag, Tooltip, Typography } from "antd";
import { groupDigits } from "../../format/decimal.ts";
import { type MessageKey, useI18n } from "../../i18n/index.tsx";
import { labelOf } from "../members/format.ts";

export type ComplianceReport = Omit<Ok<"getComplianceReport">, "businessDay" | "versionId">;
type Rule = ComplianceReport["rules"][number];

function Flag({ on, text }: { on: boolean; text?: string }) {
  const { t } = useI18n();
  return on ? <Tag color="red">{text ?? t("compliance.yes")}</Tag> : <Tag>{t("compliance.no")}</Tag>;
}

function Heading({ title, hint }: { title: MessageKey; hint: MessageKey }) {
  const { t } = useI18n();
  return (
    <Tooltip title={t(hint)}>
      <span>{t(title)}</span>
    </Tooltip>
  );
}

function RulesTable({ rules }: { rules: readonly Rule[] }) {
  const { t, language } = useI18n();
  return (
    <Table<Rule>
      rowKey="code"
      size="small"
      pagination={false}
      dataSource={[...rules]}
      data-testid="compliance-rules"
      columns={[
        {
          title: t("compliance.plan"),
          dataIndex: "plan",
          render: (plan: string) => <Tag>{labelOf(t, "liabilities.plan.", plan)}</Tag>,
        },
        {
          title: t("compliance.rule"),
          key: "rule",
          render: (_: unknown, r: Rule) => (language === "en" ? r.nameEn : r.nameZh),
        },
        {
          title: t("compliance.generations"),
          key: "generations",
          render: (_: unknown, r: Rule) =>
            !r.applies ? (
              <Typography.Text type="secondary">{t("compliance.off")}</Typography.Text>
            ) : r.generations === null ? (
              <Tag color="red">{t("compliance.unbounded")}</Tag>
            ) : (
              r.generations
            ),
        },
        {
          title: <Heading title="compliance.teamPay" hint="compliance.teamPayHint" />,
          key: "teamPay",
          render: (_: unknown, r: Rule) => <Flag on={r.applies && r.onOthersPurchases} />,
        },
        {
          title: <Heading title="compliance.recruiting" hint="compliance.recruitingHint" />,
          key: "recruiting",
          render: (_: unknown, r: Rule) => <Flag on={r.applies && r.onRecruiting} />,
        },
        {
          title: <Heading title="compliance.entry" hint="compliance.entryHint" />,
          key: "entry",
          render: (_: unknown, r: Rule) => (
            <Flag
              on={r.applies && r.entryPurchase}
              {...(r.entryMinAmount
                ? { text: t("compliance.atLeast", { amount: groupDigits(r.entryMinAmount) }) }
                : {})}
            />
          ),
        },
        {
          title: t("compliance.setting"),
          dataIndex: "setting",
          render: (s: string) => <code>{s}</code>,
        },
      ]}
    />
  );
}

export function ComplianceView({ report }: { report: ComplianceReport }) {
  const { t, language } = useI18n();
  const say = (x: { zh: string; en: string }) => (language === "en" ? x.en : x.zh);
  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }} data-testid="compliance-report">
      <Descriptions
        size="small"
        column={2}
        items={[
          {
            key: "deepest",
            label: t("compliance.deepest"),
            children: report.deepestGenerations ?? t("compliance.unbounded"),
          },
          {
            key: "return",
            label: t("compliance.largestReturn"),
            children: `${report.largestReturnMultiple}×`,
          },
        ]}
      />
      <RulesTable rules={report.rules} />
      <div data-testid="compliance-notes">
        <Typography.Title level={5}>{t("compliance.notes")}</Typography.Title>
        <ul style={{ paddingInlineStart: 20, margin: 0 }}>
          {report.notes.map((n) => (
            <li key={n.code}>
              <Typography.Paragraph style={{ marginBottom: 8 }}>{say(n)}</Typography.Paragraph>
            </li>
          ))}
        </ul>
      </div>
      <Alert
        type="info"
        showIcon
        title={t("compliance.disclaimer")}
        description={say(report.disclaimer)}
        data-testid="compliance-disclaimer"
      />
    </Space>
  );
}
