/** 商品详情: picture, price, what the plans give, stock, description; add to cart or buy now (refused when sold out). */
import { Badge, Button, Stepper, Toast } from "antd-mobile";
import { ShopbagOutline } from "antd-mobile-icons";
import { useCallback, useEffect, useState } from "react";
import { useNavigate, useParams } from "react-router";
import { type ApiError, api, unwrap } from "../../api.ts";
import { LoadError } from "../../components/ErrorNotice.tsx";
import { type MessageKey, useI18n } from "../../i18n/index.tsx";
import { PageFrame } from "../../layout/PageFrame.tsx";
import { addToCart, useCart } from "./cart.ts";
import { PlanTags, Price, type Product, ProductImage } from "./parts.tsx";

function PlanHelp({ product }: { product: Product }) {
  const { t } = useI18n();
  const plans = product.plans.length > 0 ? product.plans : ["none"];
  return (
    <div
      style={{ background: "#fff7e6", borderRadius: 8, padding: "8px 12px", fontSize: 13, color: "#873800" }}
    >
      {plans.map((plan) => (
        <div key={plan} style={{ lineHeight: "20px", margin: "2px 0" }}>
          {t(`shop.plan.${plan}.help` as MessageKey)}
        </div>
      ))}
    </div>
  );
}

export default function ProductDetail() {
  const { t } = useI18n();
  const { id = "" } = useParams();
  const navigate = useNavigate();
  const cart = useCart();
  const [product, setProduct] = useState<Product | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [quantity, setQuantity] = useState(1);

  const load = useCallback(async () => {
    setError(null);
    try {
      setProduct(await unwrap(api.GET("/products/{id}", { params: { path: { id } } })));
    } catch (e) {
      setError(e as ApiError);
    }
  }, [id]);
  useEffect(() => {
    void load();
  }, [load]);

  if (error) {
    return (
      <PageFrame title={t("shop.detail")} fallback="/shop">
        <LoadError error={error} retry={load} />
      </PageFrame>
    );
  }
  if (!product)
    return (
      <PageFrame title={t("shop.detail")} fallback="/shop">
        {null}
      </PageFrame>
    );

  const line = {
    productId: product.id,
    name: product.name,
    price: product.price,
    imageUrl: product.imageUrl,
    stock: product.stock,
  };
  const count = cart.reduce((sum, l) => sum + l.quantity, 0);
  return (
    <PageFrame title={t("shop.detail")} fallback="/shop">
      <div style={{ paddingBottom: 80 }}>
        <div style={{ background: "#fff" }}>
          <div style={{ aspectRatio: "1 / 1", maxHeight: 390 }}>
            <ProductImage product={product} size="100%" radius={0} />
          </div>
          <div style={{ padding: 16 }}>
            <Price value={product.price} size={26} />
            <h1 style={{ fontSize: 18, margin: "8px 0", fontWeight: 600 }}>{product.name}</h1>
            <PlanTags product={product} />
            <div
              style={{ marginTop: 8, color: product.soldOut ? "#e93b3d" : "#666", fontSize: 13 }}
              data-testid="stock"
            >
              {product.soldOut
                ? t("shop.soldOut")
                : product.stock === null
                  ? t("shop.stockUnlimited")
                  : t("shop.stockLeft", { stock: product.stock })}
            </div>
          </div>
        </div>
        <div style={{ background: "#fff", marginTop: 8, padding: 16 }}>
          <PlanHelp product={product} />
          {!product.soldOut ? (
            <div
              style={{
                display: "flex",
                justifyContent: "space-between",
                alignItems: "center",
                marginTop: 16,
              }}
            >
              <span>{t("shop.quantity")}</span>
              <Stepper
                min={1}
                max={product.stock ?? 9999}
                value={quantity}
                onChange={(value) => setQuantity(value)}
                style={{ "--height": "36px", "--input-width": "48px" }}
              />
            </div>
          ) : null}
        </div>
        {product.description ? (
          <div style={{ background: "#fff", marginTop: 8, padding: 16 }}>
            <div style={{ fontWeight: 600, marginBottom: 8 }}>{t("shop.description")}</div>
            <div style={{ whiteSpace: "pre-wrap", color: "#333", lineHeight: 1.6 }}>
              {product.description}
            </div>
          </div>
        ) : null}
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
          gap: 8,
          alignItems: "center",
        }}
      >
        <button
          type="button"
          aria-label={t("shop.cart")}
          onClick={() => navigate("/shop/cart")}
          style={{ background: "none", border: 0, minWidth: 48, minHeight: 44, fontSize: 24, color: "#333" }}
        >
          <Badge content={count > 0 ? String(count) : null}>
            <ShopbagOutline />
          </Badge>
        </button>
        {product.soldOut ? (
          <Button block disabled shape="rounded" style={{ flex: 1 }}>
            {t("shop.soldOut")}
          </Button>
        ) : (
          <>
            <Button
              shape="rounded"
              style={{ flex: 1, "--background-color": "#ffa940", "--border-color": "#ffa940", color: "#fff" }}
              onClick={() => {
                addToCart({ ...line, quantity });
                Toast.show({ content: t("shop.added"), icon: "success" });
              }}
            >
              {t("shop.addToCart")}
            </Button>
            <Button
              shape="rounded"
              color="danger"
              style={{ flex: 1 }}
              onClick={() => navigate(`/shop/checkout?items=${product.id}:${quantity}`)}
            >
              {t("shop.buyNow")}
            </Button>
          </>
        )}
      </div>
    </PageFrame>
  );
}
