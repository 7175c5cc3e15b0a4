import { Tag } from "antd";
import { type MessageKey, useI18n } from "../../i18n/index.tsx";

export const STATUS_COLOR: Record<string, string> = {
  pending: "gold",
  paid: "green",
  refunded: "red",
  cancelled: "default",
};

/** An order's status as a coloured tag. */
export function StatusTag({ status }: { status: string }) {
  const { t } = useI18n();
  return <Tag color={STATUS_COLOR[status]}>{t(`orders.status.${status}` as MessageKey)}</Tag>;
}

/** The plans an order takes part in. */
export function PlanTags({ plans }: { plans: readonly string[] }) {
  const { t } = useI18n();
  if (plans.length === 0) return <Tag>{t("orders.plan.none")}</Tag>;
  return (
    <>
      {plans.map((p) => (
        <Tag key={p} color="blue">
          {t(`orders.plan.${p}` as MessageKey)}
        </Tag>
      ))}
    </>
  );
}
