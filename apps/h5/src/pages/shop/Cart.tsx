/** 购物车: the lines kept on the phone, quantities, removal, the total (fen arithmetic), and checkout. */
import { Button, Empty, Stepper, SwipeAction } from "antd-mobile";
import { useNavigate } from "react-router";
import { useI18n } from "../../i18n/index.tsx";
import { PageFrame } from "../../layout/PageFrame.tsx";
import { removeFromCart, setQuantity, useCart } from "./cart.ts";
import { formatFen, lineTotal, toFen } from "./money.ts";
import { Price, ProductImage } from "./parts.tsx";

export default function Cart() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const cart = useCart();
  const totalFen = cart.reduce((sum, line) => sum + (toFen(lineTotal(line.price, line.quantity)) ?? 0n), 0n);
  const count = cart.reduce((sum, line) => sum + line.quantity, 0);
  return (
    <PageFrame title={t("shop.cart")} fallback="/shop">
      {cart.length === 0 ? (
        <div style={{ paddingTop: 60, textAlign: "center" }}>
          <Empty description={t("shop.cart.empty")} />
          <Button color="danger" fill="outline" shape="rounded" onClick={() => navigate("/shop")}>
            {t("shop.cart.goShopping")}
          </Button>
        </div>
      ) : (
        <div style={{ padding: "8px 10px 96px" }}>
          {cart.map((line) => (
            <SwipeAction
              key={line.productId}
              rightActions={[
                {
                  key: "remove",
                  text: t("shop.cart.remove"),
                  color: "danger",
                  onClick: () => removeFromCart(line.productId),
                },
              ]}
            >
              <div
                data-testid="cart-line"
                style={{
                  display: "flex",
                  gap: 10,
                  background: "#fff",
                  borderRadius: 10,
                  padding: 10,
                  marginBottom: 8,
                }}
              >
                <ProductImage product={line} size={80} />
                <div
                  style={{
                    flex: 1,
                    minWidth: 0,
                    display: "flex",
                    flexDirection: "column",
                    justifyContent: "space-between",
                  }}
                >
                  <div style={{ fontSize: 14, lineHeight: "20px" }}>{line.name}</div>
                  <div style={{ display: "flex", justifyContent: "space-between", alignItems: "center" }}>
                    <Price value={line.price} size={16} />
                    <Stepper
                      min={1}
                      max={line.stock ?? 9999}
                      value={line.quantity}
                      onChange={(value) => setQuantity(line.productId, value)}
                      style={{ "--height": "32px", "--input-width": "40px" }}
                    />
                  </div>
                </div>
                <button
                  type="button"
                  aria-label={`${t("shop.cart.remove")} ${line.name}`}
                  onClick={() => removeFromCart(line.productId)}
                  style={{
                    background: "none",
                    border: 0,
                    color: "#999",
                    minWidth: 32,
                    alignSelf: "flex-start",
                  }}
                >
                  ×
                </button>
              </div>
            </SwipeAction>
          ))}
          <div style={{ color: "#999", fontSize: 12, padding: "4px 4px" }}>{t("shop.cart.note")}</div>
        </div>
      )}
      {cart.length > 0 ? (
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
          <span data-testid="cart-total">
            {t("shop.cart.total")}：<Price value={formatFen(totalFen)} />
          </span>
          <Button color="danger" shape="rounded" onClick={() => navigate("/shop/checkout")}>
            {t("shop.cart.checkout", { count })}
          </Button>
        </div>
      ) : null}
    </PageFrame>
  );
}
