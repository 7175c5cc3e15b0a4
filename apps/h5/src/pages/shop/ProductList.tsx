/** 商城首页: the products on sale, two a row, loaded page by page as the member scrolls; the cart button floats. */
import { Badge, InfiniteScroll } from "antd-mobile";
import { ShopbagOutline } from "antd-mobile-icons";
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { type ApiError, api, unwrap } from "../../api.ts";
import { ErrorNotice } from "../../components/ErrorNotice.tsx";
import { useI18n } from "../../i18n/index.tsx";
import { useCart } from "./cart.ts";
import { PlanTags, Price, type Product, ProductImage } from "./parts.tsx";

function ProductCard({ product }: { product: Product }) {
  const { t } = useI18n();
  return (
    <Link
      to={`/shop/products/${product.id}`}
      data-testid="product-card"
      style={{
        background: "#fff",
        borderRadius: 10,
        overflow: "hidden",
        color: "inherit",
        textDecoration: "none",
      }}
    >
      <div style={{ position: "relative", aspectRatio: "1 / 1" }}>
        <ProductImage product={product} size="100%" radius={0} />
        {product.soldOut ? (
          <div
            style={{
              position: "absolute",
              inset: 0,
              background: "rgba(255,255,255,0.55)",
              display: "flex",
              alignItems: "center",
              justifyContent: "center",
            }}
          >
            <span
              style={{
                width: 76,
                height: 76,
                borderRadius: "50%",
                background: "rgba(0,0,0,0.6)",
                color: "#fff",
                display: "flex",
                alignItems: "center",
                justifyContent: "center",
                fontSize: 16,
              }}
            >
              {t("shop.soldOut")}
            </span>
          </div>
        ) : null}
      </div>
      <div style={{ padding: "8px 10px 10px" }}>
        <div style={{ fontSize: 14, lineHeight: "20px", height: 40, overflow: "hidden" }}>{product.name}</div>
        <div style={{ margin: "4px 0" }}>
          <PlanTags product={product} />
        </div>
        <Price value={product.price} />
      </div>
    </Link>
  );
}

export function ProductList() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const cart = useCart();
  const [items, setItems] = useState<Product[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [hasMore, setHasMore] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);

  async function loadMore() {
    try {
      const query = { limit: "20", ...(cursor ? { cursor } : {}) };
      const page = await unwrap(api.GET("/products", { params: { query } }));
      setItems((prev) => [...prev, ...page.items]);
      setCursor(page.nextCursor);
      setHasMore(page.nextCursor !== null);
    } catch (e) {
      setError(e as ApiError);
      setHasMore(false);
    }
  }

  const count = cart.reduce((sum, line) => sum + line.quantity, 0);
  return (
    <div style={{ background: "#f5f5f5", minHeight: "100vh" }}>
      <div
        style={{
          background: "linear-gradient(180deg, #e93b3d, #ff7a45)",
          color: "#fff",
          padding: "20px 16px 28px",
        }}
      >
        <div style={{ display: "flex", justifyContent: "space-between", alignItems: "center" }}>
          <div>
            <div style={{ fontSize: 22, fontWeight: 600 }}>{t("shop.title")}</div>
            <div style={{ fontSize: 13, opacity: 0.9, marginTop: 4 }}>{t("shop.subtitle")}</div>
          </div>
          <button
            type="button"
            onClick={() => navigate("/shop/orders")}
            style={{
              background: "none",
              border: 0,
              color: "#fff",
              minHeight: 44,
              fontSize: 14,
              marginLeft: "auto",
            }}
          >
            {t("shop.orders.title")}
          </button>
          <button
            type="button"
            aria-label={t("shop.cart")}
            onClick={() => navigate("/shop/cart")}
            style={{
              background: "none",
              border: 0,
              color: "#fff",
              minWidth: 44,
              minHeight: 44,
              fontSize: 26,
            }}
          >
            <Badge content={count > 0 ? String(count) : null}>
              <ShopbagOutline />
            </Badge>
          </button>
        </div>
      </div>
      <div style={{ padding: "0 10px", marginTop: -14 }}>
        <ErrorNotice error={error} />
        <div style={{ display: "grid", gridTemplateColumns: "1fr 1fr", gap: 10 }}>
          {items.map((product) => (
            <ProductCard key={product.id} product={product} />
          ))}
        </div>
        <InfiniteScroll loadMore={loadMore} hasMore={hasMore}>
          {hasMore ? null : <span style={{ color: "#999" }}>{t("shop.noMore")}</span>}
        </InfiniteScroll>
      </div>
    </div>
  );
}
