/**
 * 确认订单: the server prices the cart (POST /checkouts/preview) and says the
 * most points the member can pay; the member chooses how many (checked as
 * fen, never as a float), sees them split across the orders, picks the
 * payment method and places the checkout (one order per item).
 */
import type { Ok } from "@jifen/api-types";
import { Button, Input, List, Radio, Space, Switch } from "antd-mobile";
import { useEffect, useMemo, useRef, useState } from "react";
import { useNavigate, useSearchParams } from "react-router";
import { ApiError, api, newIdempotencyKey, unwrap } from "../../api.ts";
import { grouped } from "../../components/decimal.ts";
import { ErrorNotice } from "../../components/ErrorNotice.tsx";
import { type MessageKey, useI18n } from "../../i18n/index.tsx";
import { PageFrame } from "../../layout/PageFrame.tsx";
import { clearCart, useCart } from "./cart.ts";
import { formatFen, toFen } from "./money.ts";
import { Price, ProductImage } from "./parts.tsx";

type Preview = Ok<"previewCheckout">;
type Method = Preview["paymentMethods"][number];

/** `items=3:2,5:1` from "buy now", else the cart. */
function useItems(): { productId: string; quantity: string }[] {
  const [params] = useSearchParams();
  const cart = useCart();
  const given = params.get("items");
  return useMemo(() => {
    if (given) {
      return given.split(",").map((part) => {
        const [productId = "", quantity = "1"] = part.split(":");
        return { productId, quantity };
      });
    }
    return cart.map((line) => ({ productId: line.productId, quantity: String(line.quantity) }));
  }, [given, cart]);
}

/** What the points field says: the points to ask for, or why it cannot be asked. */
function readPoints(
  text: string,
  use: boolean,
  maxPoints: string | undefined,
): { points: string; problem: "invalid" | "over" | null } {
  if (!use || text.trim() === "") return { points: "0.00", problem: null };
  const fen = toFen(text);
  if (fen === null) return { points: "0.00", problem: "invalid" };
  if (maxPoints !== undefined && fen > (toFen(maxPoints) ?? 0n)) return { points: "0.00", problem: "over" };
  return { points: formatFen(fen), problem: null };
}

function Lines({ preview }: { preview: Preview }) {
  const { t } = useI18n();
  return (
    <List header={t("shop.checkout.items")}>
      {preview.lines.map((line) => (
        <List.Item
          key={line.productId}
          data-testid="checkout-line"
          prefix={<ProductImage product={line} size={56} />}
          description={`¥${grouped(line.price)} × ${line.quantity}`}
          extra={
            <div style={{ textAlign: "right" }}>
              <Price value={line.amount} size={15} />
              {line.points !== "0.00" ? (
                <div style={{ fontSize: 12, color: "#fa8c16" }}>
                  {t("shop.checkout.linePoints", { points: grouped(line.points) })}
                </div>
              ) : null}
            </div>
          }
        >
          {line.name}
        </List.Item>
      ))}
    </List>
  );
}

export default function Checkout() {
  const { t, language } = useI18n();
  const navigate = useNavigate();
  const items = useItems();
  const [params] = useSearchParams();
  const [base, setBase] = useState<Preview | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [usePoints, setUsePoints] = useState(false);
  const [pointsText, setPointsText] = useState("");
  const [method, setMethod] = useState<Method | null>(null);
  const [placing, setPlacing] = useState(false);
  const keys = useRef(new Map<string, string>());
  const asked = readPoints(pointsText, usePoints, base?.maxPoints);
  const itemsKey = JSON.stringify(items);

  // The cart priced without points: the cap and the methods.
  useEffect(() => {
    if (items.length === 0) return;
    const body = { items: JSON.parse(itemsKey) as typeof items };
    unwrap(api.POST("/checkouts/preview", { body }))
      .then((answer) => {
        setBase(answer);
        setError(null);
        setMethod((m) => m ?? answer.paymentMethods[0] ?? null);
      })
      .catch((e: ApiError) => setError(e));
  }, [itemsKey, items.length]);

  // The split for the points asked for (after a short pause in typing).
  useEffect(() => {
    if (!base || asked.problem || asked.points === "0.00") {
      setPreview(base);
      return;
    }
    const timer = setTimeout(() => {
      const body = { items: JSON.parse(itemsKey) as typeof items, points: asked.points };
      unwrap(api.POST("/checkouts/preview", { body }))
        .then((answer) => {
          setPreview(answer);
          setError(null);
        })
        .catch((e: ApiError) => setError(e));
    }, 250);
    return () => clearTimeout(timer);
  }, [base, asked.points, asked.problem, itemsKey]);

  async function place() {
    if (!preview || !method) return;
    const body = { items, points: asked.points, provider: method };
    const text = JSON.stringify(body);
    const key = keys.current.get(text) ?? newIdempotencyKey();
    keys.current.set(text, key);
    setPlacing(true);
    try {
      const checkout = await unwrap(
        api.POST("/checkouts", { params: { header: { "idempotency-key": key } }, body }),
      );
      if (!params.get("items")) clearCart(items.map((i) => i.productId));
      navigate(`/shop/pay/${checkout.id}`, { replace: true });
    } catch (e) {
      setError(e instanceof ApiError ? e : null);
    } finally {
      setPlacing(false);
    }
  }

  const problem =
    asked.problem === "invalid"
      ? t("shop.checkout.pointsInvalid")
      : asked.problem === "over"
        ? t("shop.checkout.pointsOver", { max: grouped(base?.maxPoints ?? "0.00") })
        : null;
  const shown = preview ?? base;
  const canUse = base !== null && base.maxPoints !== "0.00";
  return (
    <PageFrame title={t("shop.checkout.title")} fallback="/shop/cart">
      <div style={{ paddingBottom: 96 }}>
        <div style={{ padding: "8px 12px 0" }}>
          <ErrorNotice error={error ?? problem} />
        </div>
        {shown ? <Lines preview={shown} /> : null}
        {base ? (
          <List header={t("shop.checkout.points")}>
            <List.Item
              extra={
                <Switch
                  checked={usePoints}
                  disabled={!canUse}
                  onChange={setUsePoints}
                  aria-label={t("shop.checkout.pointsUse")}
                />
              }
              description={
                canUse
                  ? t("shop.checkout.pointsMax", {
                      max: grouped(base.maxPoints),
                      available: grouped(base.pointsAvailable),
                      cap: grouped(base.ratioCap),
                    })
                  : t("shop.checkout.pointsNone")
              }
            >
              {t("shop.checkout.pointsUse")}
            </List.Item>
            {usePoints ? (
              <List.Item
                extra={
                  <Button
                    size="small"
                    fill="outline"
                    color="warning"
                    onClick={() => setPointsText(base.maxPoints)}
                  >
                    {t("shop.checkout.useMax")}
                  </Button>
                }
                description={t("shop.checkout.split")}
              >
                <Input
                  placeholder={base.maxPoints}
                  value={pointsText}
                  onChange={setPointsText}
                  inputMode="decimal"
                  aria-label={t("shop.checkout.points")}
                  style={{ "--font-size": "17px" }}
                />
              </List.Item>
            ) : null}
          </List>
        ) : null}
        {base ? (
          <List header={t("shop.checkout.method")}>
            <Radio.Group value={method} onChange={(value) => setMethod(value as Method)}>
              {base.paymentMethods.map((m) => (
                <List.Item
                  key={m}
                  description={t(`shop.checkout.${m}Note` as MessageKey)}
                  extra={<Radio value={m} aria-label={t(`shop.checkout.${m}` as MessageKey)} />}
                  onClick={() => setMethod(m)}
                >
                  <Space>
                    {t(`shop.checkout.${m}` as MessageKey)}
                    {m === "demo" ? (
                      <span
                        style={{
                          fontSize: 11,
                          color: "#fff",
                          background: "#faad14",
                          borderRadius: 4,
                          padding: "0 4px",
                        }}
                      >
                        {t("shop.pay.demoBadge")}
                      </span>
                    ) : null}
                  </Space>
                </List.Item>
              ))}
            </Radio.Group>
          </List>
        ) : null}
        <div style={{ color: "#999", fontSize: 12, padding: 12 }}>{t("shop.checkout.ordersNote")}</div>
      </div>
      <div
        style={{
          position: "fixed",
          bottom: 0,
          left: 0,
          right: 0,
          maxWidth: 480,
          margin: "0 auto",
          background: "#fff",
          borderTop: "1px solid #eee",
          padding: "8px 12px calc(8px + env(safe-area-inset-bottom))",
          minHeight: 60,
          boxSizing: "border-box",
          // Above the tab bar: a page with its own action bar covers it, as shop apps do.
          zIndex: 110,
          display: "flex",
          alignItems: "center",
          justifyContent: "flex-end",
          gap: 12,
        }}
      >
        {shown ? (
          <span data-testid="checkout-cash" lang={language}>
            {t("shop.checkout.cash")}：<Price value={shown.cash} />
          </span>
        ) : null}
        <Button
          color="danger"
          shape="rounded"
          loading={placing}
          disabled={!shown || !method || problem !== null || error !== null || shown.points !== asked.points}
          onClick={place}
        >
          {t("shop.checkout.submit")}
        </Button>
      </div>
    </PageFrame>
  );
}
