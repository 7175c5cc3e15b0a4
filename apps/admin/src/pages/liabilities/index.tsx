/** 负债与穿透: what the platform owes members, and how far up the referral chain rewards reach. */
import type { Ok } from "@jifen/api-types";
import { Card, Col, Descriptions, Row, Space, Spin, Statistic, Table, Tag, Typography } from "antd";
import { useEffect, useMemo, useState } from "react";
import { api, unwrap } from "../../api.ts";
import { groupDigits } from "../../format/decimal.ts";
import { type MessageKey, useI18n } from "../../i18n/index.tsx";
import { labelOf } from "../members/format.ts";
import { BarChart } from "./BarChart.tsx";

type Liabilities = Ok<"getLiabilities">;
type Reach = Ok<"getReferralReach">;
type Reward = Reach["rewards"][number];

function PointsCard({ owed }: { owed: Liabilities }) {
  const { t } = useI18n();
  const bars = useMemo(
    () =>
      (["giftPoints", "releasedPoints", "dividendQuota", "exitQuota", "stablePoints"] as const).map(
        (key) => ({
          label: t(`liabilities.${key}` as MessageKey),
          value: owed[key],
        }),
      ),
    [owed, t],
  );
  return (
    <Card title={t("liabilities.points")} extra={t("liabilities.day", { day: owed.businessDay })}>
      <BarChart bars={bars} testId="liabilities-chart" />
    </Card>
  );
}

function Figures({ owed }: { owed: Liabilities }) {
  const { t } = useI18n();
  return (
    <Row gutter={16}>
      <Col span={8}>
        <Card title={t("liabilities.cash")} style={{ height: "100%" }}>
          <Row gutter={16}>
            <Col span={12}>
              <Statistic title={t("liabilities.memberCash")} value={owed.cash.memberCash} prefix="¥" />
            </Col>
            <Col span={12}>
              <Statistic
                title={t("liabilities.withdrawalsPending")}
                value={owed.cash.withdrawalsPending}
                prefix="¥"
              />
            </Col>
          </Row>
        </Card>
      </Col>
      <Col span={8}>
        <Card title={t("liabilities.equity")} style={{ height: "100%" }}>
          <Descriptions
            column={2}
            size="small"
            items={(["pool", "price", "heldByMembers", "treasury"] as const).map((key) => ({
              key,
              label: t(`liabilities.${key}` as MessageKey),
              children: groupDigits(owed.equity[key]),
            }))}
          />
        </Card>
      </Col>
      <Col span={8}>
        <Card title={t("liabilities.debts")} style={{ height: "100%" }}>
          <Descriptions
            column={2}
            size="small"
            items={(["cash", "points", "equity", "stable", "weight"] as const).map((key) => ({
              key,
              label: t(`members.asset.${key === "cash" ? "cny" : key}` as MessageKey),
              children: groupDigits(owed.debts[key]),
            }))}
          />
        </Card>
      </Col>
    </Row>
  );
}

function ReachCard({ reach }: { reach: Reach }) {
  const { t, language } = useI18n();
  return (
    <Card
      title={t("liabilities.reach.title")}
      extra={`${t("liabilities.reach.version", { version: reach.versionId ?? t("liabilities.reach.defaults") })} · ${t("liabilities.day", { day: reach.businessDay })}`}
    >
      <Typography.Paragraph data-testid="reach-summary">
        {language === "en" ? reach.summary.en : reach.summary.zh}
      </Typography.Paragraph>
      <Table<Reward>
        rowKey="reward"
        size="small"
        pagination={false}
        dataSource={reach.rewards}
        columns={[
          {
            title: t("liabilities.reach.plan"),
            dataIndex: "plan",
            render: (plan: string) => <Tag>{labelOf(t, "liabilities.plan.", plan)}</Tag>,
          },
          {
            title: t("liabilities.reach.reward"),
            key: "reward",
            render: (_: unknown, r: Reward) => (language === "en" ? r.rewardEn : r.rewardZh),
          },
          {
            title: t("liabilities.reach.levels"),
            dataIndex: "levels",
            render: (levels: number | null) => levels ?? t("liabilities.reach.unlimited"),
          },
          {
            title: t("liabilities.reach.setting"),
            dataIndex: "setting",
            render: (s: string) => <code>{s}</code>,
          },
        ]}
      />
    </Card>
  );
}

export default function LiabilitiesPage() {
  const [owed, setOwed] = useState<Liabilities | null>(null);
  const [reach, setReach] = useState<Reach | null>(null);
  useEffect(() => {
    void unwrap(api.GET("/admin/liabilities")).then(setOwed);
    void unwrap(api.GET("/admin/referral-reach")).then(setReach);
  }, []);
  if (!owed || !reach) return <Spin />;
  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }}>
      <PointsCard owed={owed} />
      <Figures owed={owed} />
      <ReachCard reach={reach} />
    </Space>
  );
}
