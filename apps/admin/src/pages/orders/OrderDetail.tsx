/**
 * One order in a drawer: the order, its item, its payment and refund, every
 * ledger posting it caused (paged by the server), and the money actions
 * (confirm a manual payment, refund) for the roles that may take them.
 */
import type { Ok } from "@jifen/api-types";
import { App, Button, Descriptions, Drawer, Popconfirm, Space, Table, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import { ApiError, api, unwrap } from "../../api.ts";
import { type MessageKey, useI18n } from "../../i18n/index.tsx";
import { useSession } from "../../session.ts";
import { ErrorNotice, formatTime, isNegative, useAccountLabel } from "./listing.tsx";
import type { AdminOrder } from "./Orders.tsx";
import { RefundModal } from "./RefundModal.tsx";
import { PlanTags, StatusTag } from "./tags.tsx";

type Order = Ok<"getOrder">;
type Effect = Ok<"listOrderEffects">["items"][number];

function useOrder(id: string | null) {
  const [order, setOrder] = useState<Order | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [tick, setTick] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: tick reloads
  useEffect(() => {
    if (!id) return;
    setError(null);
    unwrap(api.GET("/admin/orders/{id}", { params: { path: { id } } })).then(setOrder, (e: unknown) =>
      setError(e instanceof ApiError ? e : null),
    );
  }, [id, tick]);
  return { order: order?.id === id ? order : null, error, reload: () => setTick((n) => n + 1) };
}

function useEffects(id: string | null, version: number, language: string) {
  const [items, setItems] = useState<Effect[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const load = useCallback(
    async (cursor: string | null) => {
      if (!id) return;
      setLoading(true);
      try {
        const page = await unwrap(
          api.GET("/admin/orders/{id}/effects", {
            params: { path: { id }, query: { limit: "50", ...(cursor ? { cursor } : {}) } },
            // The descriptions in the console's language, not the browser's.
            headers: { "accept-language": language },
          }),
        );
        setItems((old) => (cursor ? [...old, ...page.items] : page.items));
        setNext(page.nextCursor);
      } finally {
        setLoading(false);
      }
    },
    [id, language],
  );
  // biome-ignore lint/correctness/useExhaustiveDependencies: version reloads after an action
  useEffect(() => {
    setItems([]);
    void load(null);
  }, [load, version]);
  return { items, loading, more: next ? () => load(next) : null };
}

function EffectsTable({ id, version }: { id: string; version: number }) {
  const { t, language } = useI18n();
  const label = useAccountLabel();
  const effects = useEffects(id, version, language);
  return (
    <>
      <Typography.Paragraph type="secondary">{t("orders.detail.effectsHint")}</Typography.Paragraph>
      <Table<Effect>
        rowKey="id"
        size="small"
        pagination={false}
        loading={effects.loading}
        dataSource={effects.items}
        data-testid="order-effects"
        columns={[
          { title: t("orders.effect.day"), dataIndex: "businessDay", width: 110 },
          {
            title: t("orders.col.member"),
            key: "member",
            width: 120,
            render: (_, e) => e.memberPhone ?? t("orders.refund.platform"),
          },
          { title: t("orders.effect.account"), key: "account", render: (_, e) => label(e.account) },
          {
            title: t("orders.effect.amount"),
            key: "amount",
            align: "right",
            render: (_, e) => (
              <Typography.Text type={isNegative(e.amount) ? "danger" : "success"}>{e.amount}</Typography.Text>
            ),
          },
          { title: t("orders.effect.description"), dataIndex: "description" },
        ]}
      />
      {effects.more && (
        <Button block style={{ marginTop: 8 }} onClick={effects.more}>
          {t("orders.detail.loadMore")}
        </Button>
      )}
    </>
  );
}

function Payments({ order }: { order: Order }) {
  const { t } = useI18n();
  if (!order.paidAt)
    return <Typography.Text type="secondary">{t("orders.detail.payment.none")}</Typography.Text>;
  return (
    <Descriptions size="small" column={2} bordered>
      <Descriptions.Item label={t("orders.detail.payment.cash")}>{order.cash}</Descriptions.Item>
      <Descriptions.Item label={t("orders.detail.payment.points")}>{order.points}</Descriptions.Item>
      <Descriptions.Item label={t("orders.col.provider")}>
        {t(`orders.provider.${order.provider}` as MessageKey)}
      </Descriptions.Item>
      <Descriptions.Item label={t("orders.detail.externalId")}>{order.externalId ?? "—"}</Descriptions.Item>
      <Descriptions.Item label={t("orders.detail.paidAt")}>{formatTime(order.paidAt)}</Descriptions.Item>
      <Descriptions.Item label={t("orders.detail.eligibleDay")}>{order.eligibleDay ?? "—"}</Descriptions.Item>
      {order.refundedAt && (
        <>
          <Descriptions.Item label={t("orders.detail.refundedAt")}>
            {formatTime(order.refundedAt)}
          </Descriptions.Item>
          <Descriptions.Item label={t("orders.detail.refundReason")}>{order.refundReason}</Descriptions.Item>
        </>
      )}
    </Descriptions>
  );
}

function Actions({ order, onDone }: { order: Order; onDone: () => void }) {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const session = useSession();
  const [refunding, setRefunding] = useState(false);
  const money = session?.operator.role === "admin" || session?.operator.role === "finance";
  if (!money) return null;
  async function act(
    path: "/admin/orders/{id}/confirm-payment" | "/admin/orders/{id}/cancel",
    done: MessageKey,
  ) {
    try {
      await unwrap(
        api.POST(path, {
          params: { path: { id: order.id }, header: { "idempotency-key": crypto.randomUUID() } },
        }),
      );
      message.success(t(done));
      onDone();
    } catch (caught) {
      if (caught instanceof ApiError) message.error(caught.sentence(language));
    }
  }
  return (
    <Space>
      {order.status === "pending" && order.provider === "manual" && (
        <Popconfirm
          title={t("orders.confirmPayment.question")}
          onConfirm={() => act("/admin/orders/{id}/confirm-payment", "orders.confirmPayment.done")}
        >
          <Button type="primary">{t("orders.confirmPayment")}</Button>
        </Popconfirm>
      )}
      {order.status === "pending" && (
        <Popconfirm
          title={t("orders.cancel.question")}
          onConfirm={() => act("/admin/orders/{id}/cancel", "orders.cancel.done")}
        >
          <Button>{t("orders.cancel")}</Button>
        </Popconfirm>
      )}
      {order.status === "paid" && (
        <Button danger onClick={() => setRefunding(true)}>
          {t("orders.refund")}
        </Button>
      )}
      <RefundModal
        orderId={refunding ? order.id : null}
        onClose={() => setRefunding(false)}
        onRefunded={() => {
          setRefunding(false);
          onDone();
        }}
      />
    </Space>
  );
}

/** The drawer of the list's row `row` (its masked phone and product name come from the list). */
export function OrderDetail(props: { row: AdminOrder | null; onClose: () => void; onChanged: () => void }) {
  const { t } = useI18n();
  const labels = props.row;
  const id = props.row?.id ?? null;
  const { order, error, reload } = useOrder(id);
  const [version, setVersion] = useState(0);
  const changed = () => {
    reload();
    setVersion((n) => n + 1);
    props.onChanged();
  };
  return (
    <Drawer
      open={id !== null}
      onClose={props.onClose}
      size={960}
      title={id ? t("orders.detail.title", { id }) : ""}
      extra={order && <Actions order={order} onDone={changed} />}
      destroyOnHidden
    >
      <ErrorNotice error={error} />
      {order && (
        <Space orientation="vertical" size="large" style={{ width: "100%" }} data-testid="order-drawer">
          <Descriptions title={t("orders.detail.basic")} size="small" column={3} bordered>
            <Descriptions.Item label={t("orders.col.id")}>{order.id}</Descriptions.Item>
            <Descriptions.Item label={t("orders.col.status")}>
              <span data-testid="order-status">
                <StatusTag status={order.status} />
              </span>
            </Descriptions.Item>
            <Descriptions.Item label={t("orders.col.createdAt")}>
              {formatTime(order.createdAt)}
            </Descriptions.Item>
            <Descriptions.Item label={t("orders.col.member")}>{labels?.memberPhone ?? "—"}</Descriptions.Item>
            <Descriptions.Item label={t("orders.detail.memberId")}>{order.memberId}</Descriptions.Item>
            <Descriptions.Item label={t("orders.col.plans")}>
              <PlanTags plans={order.plans} />
            </Descriptions.Item>
          </Descriptions>
          <div>
            <Typography.Title level={5}>{t("orders.detail.items")}</Typography.Title>
            <Table
              rowKey="productId"
              size="small"
              pagination={false}
              dataSource={[{ ...order, productName: labels?.productName ?? order.productId }]}
              columns={[
                { title: t("orders.col.product"), dataIndex: "productName" },
                { title: t("orders.col.quantity"), dataIndex: "quantity", align: "right" },
                { title: t("orders.col.amount"), dataIndex: "amount", align: "right" },
              ]}
            />
          </div>
          <div>
            <Typography.Title level={5}>{t("orders.detail.payments")}</Typography.Title>
            <Payments order={order} />
          </div>
          <div>
            <Typography.Title level={5}>{t("orders.detail.effects")}</Typography.Title>
            <EffectsTable id={order.id} version={version} />
          </div>
        </Space>
      )}
    </Drawer>
  );
}
