/** The liabilities card of the dashboard (GET /admin/liabilities, docs/rules.md §5). */
import type { Ok } from "@jifen/api-types";
import { Card, Descriptions, Tag } from "antd";
import { useEffect, useState } from "react";
import { api, unwrap } from "../../api.ts";
import { groupDigits, yuan } from "../../format/decimal.ts";
import { useI18n } from "../../i18n/index.tsx";

type Owed = Ok<"getLiabilities">;

export function Liabilities() {
  const { t } = useI18n();
  const [owed, setOwed] = useState<Owed | null>(null);
  useEffect(() => {
    void unwrap(api.GET("/admin/liabilities"))
      .then(setOwed)
      .catch(() => setOwed(null));
  }, []);
  if (!owed) return null;
  const debts = [
    t("dashboard.debtCash", { amount: yuan(owed.debts.cash) }),
    t("dashboard.debtPoints", { amount: groupDigits(owed.debts.points) }),
    t("dashboard.debtEquity", { amount: groupDigits(owed.debts.equity) }),
    t("dashboard.debtStable", { amount: groupDigits(owed.debts.stable) }),
    t("dashboard.debtWeight", { amount: groupDigits(owed.debts.weight) }),
  ];
  const items = [
    [t("dashboard.giftPoints"), groupDigits(owed.giftPoints)],
    [t("dashboard.releasedPoints"), groupDigits(owed.releasedPoints)],
    [t("dashboard.dividendQuota"), groupDigits(owed.dividendQuota)],
    [t("dashboard.exitQuota"), groupDigits(owed.exitQuota)],
    [t("dashboard.stablePoints"), groupDigits(owed.stablePoints)],
    [t("dashboard.equityHeld"), groupDigits(owed.equity.heldByMembers)],
    [t("dashboard.equityTreasury"), groupDigits(owed.equity.treasury)],
    [t("dashboard.equityPool"), yuan(owed.equity.pool)],
    [t("dashboard.memberCash"), yuan(owed.cash.memberCash)],
    [t("dashboard.withdrawalsPending"), yuan(owed.cash.withdrawalsPending)],
  ];
  return (
    <Card
      variant="borderless"
      title={t("dashboard.liabilities")}
      extra={t("dashboard.liabilitiesHint", { day: owed.businessDay })}
      data-testid="liabilities"
    >
      <Descriptions
        column={4}
        size="small"
        items={[
          ...items.map(([label, value]) => ({ key: label, label, children: value })),
          {
            key: "debts",
            label: t("dashboard.debts"),
            span: 2,
            children: debts.map((d) => <Tag key={d}>{d}</Tag>),
          },
        ]}
      />
    </Card>
  );
}
