import type { Ok } from "@jifen/api-types";
import { Select, Space, Table, Tag, Typography } from "antd";
import { useState } from "react";
import { api, unwrap } from "../../api.ts";
import { groupDigits } from "../../format/decimal.ts";
import { type MessageKey, useI18n } from "../../i18n/index.tsx";
import { useSession } from "../../session.ts";
import { CursorPager, useCursorPages } from "./CursorPager.tsx";
import { ExportButton } from "./ExportButton.tsx";
import { dateTime, isNegative, labelOf, signed } from "./format.ts";

type Line = Ok<"listMemberLedger">["items"][number];
type Asset = "cny" | "points" | "equity" | "stable" | "quota" | "exitQuota" | "weight";
const ASSETS: Asset[] = ["cny", "points", "equity", "stable", "quota", "exitQuota", "weight"];

function useMayExport(): boolean {
  const role = useSession()?.operator.role;
  return role === "admin" || role === "finance";
}

/** 资产明细: one asset's lines, newest first, each with its cause in words (which order, rule, day). */
export function HistoryTab({ memberId, version }: { memberId: string; version: number }) {
  const { t, language } = useI18n();
  const [asset, setAsset] = useState<Asset>("points");
  const mayExport = useMayExport();
  const pages = useCursorPages<Line>(
    (cursor, limit) =>
      unwrap(
        api.GET("/admin/members/{id}/ledger", {
          params: {
            path: { id: memberId },
            query: { asset, limit: String(limit), ...(cursor ? { cursor } : {}) },
          },
          headers: { "accept-language": language },
        }),
      ),
    `${memberId}:${asset}:${version}:${language}`,
  );
  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      <Space>
        <span>{t("members.asset")}</span>
        <Select<Asset>
          value={asset}
          onChange={setAsset}
          style={{ width: 140 }}
          data-testid="history-asset"
          options={ASSETS.map((a) => ({ value: a, label: t(`members.asset.${a}` as MessageKey) }))}
        />
        {mayExport && (
          <ExportButton
            label={t("members.history.export")}
            fallbackName={`member-${memberId}-${asset}.csv`}
            run={() =>
              api.GET("/admin/members/{id}/ledger.csv", {
                params: { path: { id: memberId }, query: { asset } },
                headers: { "accept-language": language },
                parseAs: "blob",
              })
            }
          />
        )}
      </Space>
      <Table<Line>
        rowKey="id"
        size="small"
        pagination={false}
        loading={pages.loading}
        dataSource={pages.items}
        data-testid="history-table"
        columns={[
          { title: t("members.history.day"), dataIndex: "businessDay", width: 110 },
          {
            title: t("members.history.time"),
            dataIndex: "createdAt",
            width: 170,
            render: (at: string) => dateTime(at),
          },
          { title: t("members.history.description"), dataIndex: "description" },
          {
            title: t("members.history.order"),
            key: "order",
            width: 100,
            render: (_: unknown, l: Line) => l.cause.orderId ?? "—",
          },
          {
            title: t("members.history.amount"),
            dataIndex: "amount",
            align: "right",
            width: 140,
            render: (amount: string) => (
              <Typography.Text type={isNegative(amount) ? "danger" : "success"}>
                {groupDigits(signed(amount))}
              </Typography.Text>
            ),
          },
        ]}
      />
      <CursorPager pages={pages} />
    </Space>
  );
}

type Order = Ok<"listOrders">["items"][number];
const STATUS_COLOR: Record<string, string> = {
  pending: "orange",
  paid: "green",
  refunded: "red",
  cancelled: "default",
};

/** The member's orders, newest first. */
export function OrdersTab({ memberId }: { memberId: string }) {
  const { t } = useI18n();
  const mayExport = useMayExport();
  const pages = useCursorPages<Order>(
    (cursor, limit) =>
      unwrap(
        api.GET("/admin/orders", {
          params: { query: { memberId, limit: String(limit), ...(cursor ? { cursor } : {}) } },
        }),
      ),
    memberId,
  );
  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      {mayExport && (
        <ExportButton
          label={t("members.orders.export")}
          fallbackName={`orders-${memberId}.csv`}
          run={() =>
            api.GET("/admin/exports/orders.csv", { params: { query: { memberId } }, parseAs: "blob" })
          }
        />
      )}
      <Table<Order>
        rowKey="id"
        size="small"
        pagination={false}
        loading={pages.loading}
        dataSource={pages.items}
        columns={[
          { title: t("members.orders.id"), dataIndex: "id" },
          { title: t("members.orders.amount"), dataIndex: "amount", align: "right", render: groupDigits },
          { title: t("members.orders.cash"), dataIndex: "cash", align: "right", render: groupDigits },
          { title: t("members.orders.points"), dataIndex: "points", align: "right", render: groupDigits },
          {
            title: t("members.orders.plans"),
            dataIndex: "plans",
            render: (plans: string[]) =>
              plans.map((p) => <Tag key={p}>{labelOf(t, "liabilities.plan.", p)}</Tag>),
          },
          {
            title: t("members.orders.status"),
            dataIndex: "status",
            render: (s: string) => (
              <Tag color={STATUS_COLOR[s]}>{labelOf(t, "members.orders.status.", s)}</Tag>
            ),
          },
          {
            title: t("members.orders.createdAt"),
            dataIndex: "createdAt",
            render: (at: string) => dateTime(at),
          },
        ]}
      />
      <CursorPager pages={pages} />
    </Space>
  );
}

type AuditEntry = Ok<"listMemberAuditLog">["items"][number];

/** What an audit entry's detail says, in a line (an adjustment: wallet, amount, reason). */
function detailText(entry: AuditEntry, t: (key: MessageKey) => string): string {
  const d = (entry.detail ?? {}) as Record<string, unknown>;
  if (entry.action === "member.adjust") {
    const wallet = labelOf(t, "members.wallet.", String(d.wallet));
    return `${wallet} ${signed(String(d.amount))} · ${String(d.reason ?? "")}`;
  }
  return JSON.stringify(d);
}

/** 操作记录: the audit entries about this member, with the operator's name. */
export function AuditTab({ memberId, version }: { memberId: string; version: number }) {
  const { t } = useI18n();
  const pages = useCursorPages<AuditEntry>(
    (cursor, limit) =>
      unwrap(
        api.GET("/admin/members/{id}/audit-log", {
          params: { path: { id: memberId }, query: { limit: String(limit), ...(cursor ? { cursor } : {}) } },
        }),
      ),
    `${memberId}:${version}`,
  );
  const actionLabel = (action: string) =>
    action === "member.adjust" ? t("members.audit.action.member.adjust") : action;
  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      <Table<AuditEntry>
        rowKey="id"
        size="small"
        pagination={false}
        loading={pages.loading}
        dataSource={pages.items}
        data-testid="audit-table"
        columns={[
          {
            title: t("members.audit.time"),
            dataIndex: "createdAt",
            width: 170,
            render: (at: string) => dateTime(at),
          },
          { title: t("members.audit.operator"), dataIndex: "operatorName", width: 160 },
          { title: t("members.audit.action"), dataIndex: "action", width: 120, render: actionLabel },
          {
            title: t("members.audit.detail"),
            key: "detail",
            render: (_: unknown, e: AuditEntry) => detailText(e, t),
          },
        ]}
      />
      <CursorPager pages={pages} />
    </Space>
  );
}
