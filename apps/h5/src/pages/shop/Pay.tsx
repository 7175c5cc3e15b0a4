/**
 * 收银台: the checkout's one payment. With the demo method, a clearly labelled
 * button pays it (no money moves); with the manual method the page waits for
 * the shop to confirm; with WeChat Pay or Alipay it starts the provider's
 * payment (ProviderPay.tsx) and waits for its notification. Paid: the orders and the day their rewards start.
 */
import type { Ok } from "@jifen/api-types";
import { Button, Dialog, List, NoticeBar, Result, Tag } from "antd-mobile";
import { useCallback, useEffect, useRef, useState } from "react";
import { useNavigate, useParams } from "react-router";
import { type ApiError, api, newIdempotencyKey, unwrap } from "../../api.ts";
import { grouped } from "../../components/decimal.ts";
import { ErrorNotice, LoadError } from "../../components/ErrorNotice.tsx";
import { type MessageKey, useI18n } from "../../i18n/index.tsx";
import { PageFrame } from "../../layout/PageFrame.tsx";
import { ProviderPay } from "./ProviderPay.tsx";
import { Price } from "./parts.tsx";

type Checkout = Ok<"getMyCheckout">;

function Orders({ checkout }: { checkout: Checkout }) {
  const { t } = useI18n();
  return (
    <List>
      {checkout.orders.map((order) => (
        <List.Item
          key={order.id}
          data-testid="pay-order"
          description={`${t("shop.pay.order", { id: order.id })} · ¥${grouped(order.amount)}${order.points !== "0.00" ? ` · ${t("shop.checkout.linePoints", { points: grouped(order.points) })}` : ""}`}
          extra={
            <Tag color={order.status === "paid" ? "success" : "default"}>
              {t(`shop.status.${order.status}` as MessageKey)}
            </Tag>
          }
        >
          {order.productName} × {order.quantity}
        </List.Item>
      ))}
    </List>
  );
}

function PaidResult({ checkout }: { checkout: Checkout }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const day = checkout.orders.find((o) => o.eligibleDay)?.eligibleDay ?? "";
  return (
    <>
      <Result
        status="success"
        title={t("shop.pay.paid")}
        description={t("shop.pay.paidHint", { count: checkout.orders.length, day })}
      />
      <Orders checkout={checkout} />
      <div style={{ display: "flex", gap: 12, padding: 16 }}>
        <Button block shape="rounded" onClick={() => navigate("/shop")}>
          {t("shop.pay.continue")}
        </Button>
        <Button block shape="rounded" color="danger" onClick={() => navigate("/me")}>
          {t("shop.pay.home")}
        </Button>
      </div>
    </>
  );
}

export default function Pay() {
  const { t } = useI18n();
  const { id = "" } = useParams();
  const [checkout, setCheckout] = useState<Checkout | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [payError, setPayError] = useState<ApiError | null>(null);
  const [paying, setPaying] = useState(false);
  const key = useRef(newIdempotencyKey());

  const load = useCallback(async () => {
    setLoadError(null);
    try {
      setCheckout(await unwrap(api.GET("/checkouts/{id}", { params: { path: { id } } })));
    } catch (e) {
      setLoadError(e as ApiError);
    }
  }, [id]);
  useEffect(() => {
    void load();
  }, [load]);

  async function demoPay() {
    if (!checkout) return;
    const ok = await Dialog.confirm({ content: t("shop.pay.demoHint") });
    if (!ok) return;
    setPaying(true);
    setPayError(null);
    try {
      const paid = await unwrap(
        api.POST("/checkouts/{id}/demo-pay", {
          params: { path: { id: checkout.id }, header: { "idempotency-key": key.current } },
        }),
      );
      setCheckout(paid);
    } catch (e) {
      setPayError(e as ApiError);
    } finally {
      setPaying(false);
    }
  }

  let body = null;
  if (loadError) body = <LoadError error={loadError} retry={load} />;
  else if (checkout && checkout.status !== "pending") {
    body =
      checkout.status === "paid" ? (
        <PaidResult checkout={checkout} />
      ) : (
        <>
          <Result
            status="info"
            title={t(checkout.status === "refunded" ? "shop.pay.refunded" : "shop.pay.cancelled")}
          />
          <Orders checkout={checkout} />
        </>
      );
  } else if (checkout) {
    body = (
      <>
        <div style={{ background: "#fff", textAlign: "center", padding: "28px 16px" }}>
          <div style={{ color: "#666", marginBottom: 8 }}>{t("shop.pay.amount")}</div>
          <div data-testid="pay-cash">
            <Price value={checkout.cash} size={32} />
          </div>
        </div>
        <Orders checkout={checkout} />
        <div style={{ padding: 16 }}>
          <ErrorNotice error={payError} />
          {checkout.provider === "wechat" || checkout.provider === "alipay" ? (
            <ProviderPay checkout={checkout} reload={load} />
          ) : checkout.provider === "demo" ? (
            checkout.demoPayment ? (
              <>
                <NoticeBar color="alert" wrap content={t("shop.pay.demoHint")} style={{ marginBottom: 12 }} />
                <Button block color="warning" shape="rounded" size="large" loading={paying} onClick={demoPay}>
                  {t("shop.pay.demoButton", { cash: grouped(checkout.cash) })}
                </Button>
              </>
            ) : (
              <NoticeBar color="error" wrap content={t("shop.pay.demoOff")} />
            )
          ) : (
            <>
              <Result
                status="waiting"
                title={t("shop.pay.pending")}
                description={t("shop.pay.pendingHint")}
              />
              <Button block shape="rounded" onClick={load}>
                {t("shop.pay.refresh")}
              </Button>
            </>
          )}
        </div>
      </>
    );
  }
  return (
    <PageFrame title={t("shop.pay.title")} fallback="/shop">
      {body}
    </PageFrame>
  );
}
