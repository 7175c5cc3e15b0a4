/**
 * 我的订单: the member's orders, newest first, page by page; an order awaiting
 * payment links back to its checkout's cashier, so a member who left it can pay.
 */
import type { Ok } from "@jifen/api-types";
import { Button, Tag } from "antd-mobile";
import { useCallback, useRef } from "react";
import { useNavigate } from "react-router";
import { api, unwrap } from "../../api.ts";
import { CursorList } from "../../components/CursorList.tsx";
import { grouped } from "../../components/decimal.ts";
import { type MessageKey, useI18n } from "../../i18n/index.tsx";
import { PageFrame } from "../../layout/PageFrame.tsx";
import { Price } from "./parts.tsx";

type Order = Ok<"listMyOrders">["items"][number];

const STATUS_COLOR: Record<string, string> = {
  pending: "warning",
  paid: "success",
  refunded: "default",
  cancelled: "default",
};

export default function Orders() {
  const { t } = useI18n();
  const navigate = useNavigate();
  // Product names, read once per product (a product taken off sale keeps its id only).
  const names = useRef(new Map<string, string>());
  const load = useCallback(
    async (cursor: string | null) => {
      const page = await unwrap(
        api.GET("/orders", { params: { query: { limit: "20", ...(cursor ? { cursor } : {}) } } }),
      );
      for (const order of page.items) {
        if (names.current.has(order.productId)) continue;
        const product = await api.GET("/products/{id}", { params: { path: { id: order.productId } } });
        names.current.set(
          order.productId,
          product.data?.name ?? t("shop.orders.product", { id: order.productId }),
        );
      }
      return page;
    },
    [t],
  );

  const render = (order: Order) => (
    <div
      key={order.id}
      data-testid="order-line"
      style={{ background: "#fff", borderRadius: 10, margin: "8px 10px", padding: 12 }}
    >
      <div style={{ display: "flex", justifyContent: "space-between", color: "#999", fontSize: 12 }}>
        <span>{t("shop.pay.order", { id: order.id })}</span>
        <Tag color={STATUS_COLOR[order.status] ?? "default"}>
          {t(`shop.status.${order.status}` as MessageKey)}
        </Tag>
      </div>
      <div
        style={{ display: "flex", justifyContent: "space-between", alignItems: "center", margin: "8px 0" }}
      >
        <span style={{ fontSize: 15 }}>
          {names.current.get(order.productId)} × {order.quantity}
        </span>
        <Price value={order.amount} size={16} />
      </div>
      <div
        style={{
          display: "flex",
          justifyContent: "space-between",
          alignItems: "center",
          color: "#666",
          fontSize: 12,
        }}
      >
        <span>
          {order.points !== "0.00"
            ? `${t("shop.checkout.linePoints", { points: grouped(order.points) })} · `
            : ""}
          {t("shop.checkout.cash")} ¥{grouped(order.cash)}
        </span>
        {order.status === "pending" && order.checkoutId ? (
          <Button
            size="small"
            color="danger"
            shape="rounded"
            onClick={() => navigate(`/shop/pay/${order.checkoutId}`)}
          >
            {t("shop.orders.pay")}
          </Button>
        ) : null}
      </div>
    </div>
  );

  return (
    <PageFrame title={t("shop.orders.title")} fallback="/shop">
      <CursorList load={load} listKey="orders" render={render} empty={t("shop.orders.empty")} />
    </PageFrame>
  );
}
