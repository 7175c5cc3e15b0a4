/** Small pieces the shop's pages share: the product's picture, its plan tags, a price. */
import type { Ok } from "@jifen/api-types";
import { Tag } from "antd-mobile";
import { grouped } from "../../components/decimal.ts";
import { type MessageKey, useI18n } from "../../i18n/index.tsx";

export type Product = Ok<"listProducts">["items"][number];

const PLAN_COLORS: Record<string, string> = { equity: "#d48806", cycle: "#389e0d", release: "#1677ff" };

export function PlanTags({ product }: { product: Pick<Product, "plans" | "membershipPackage"> }) {
  const { t } = useI18n();
  return (
    <div style={{ display: "flex", flexWrap: "wrap", gap: 4 }}>
      {product.membershipPackage ? (
        <Tag color="#722ed1" fill="outline">
          {t("shop.package")}
        </Tag>
      ) : null}
      {product.plans.map((plan) => (
        <Tag key={plan} color={PLAN_COLORS[plan] ?? "default"} fill="outline">
          {t(`shop.plan.${plan}` as MessageKey)}
        </Tag>
      ))}
    </div>
  );
}

/** A price in yuan: a small ¥ and the amount as the server wrote it. */
export function Price({ value, size = 18 }: { value: string; size?: number }) {
  const [whole, cents] = grouped(value).split(".");
  return (
    <span style={{ color: "#e93b3d", fontWeight: 600, whiteSpace: "nowrap" }}>
      <span style={{ fontSize: size * 0.65 }}>¥</span>
      <span style={{ fontSize: size }}>{whole}</span>
      {cents !== undefined ? <span style={{ fontSize: size * 0.7 }}>.{cents}</span> : null}
    </span>
  );
}

/** The product's picture, or a soft placeholder with its first character. */
export function ProductImage({
  product,
  size,
  radius = 8,
}: {
  product: { name: string; imageUrl: string | null };
  size: number | string;
  radius?: number;
}) {
  const box = { width: size, height: size, borderRadius: radius, display: "block" } as const;
  if (product.imageUrl) {
    return (
      <img
        src={product.imageUrl}
        alt={product.name}
        style={{ ...box, objectFit: "cover", background: "#f5f5f5" }}
      />
    );
  }
  return (
    <div
      aria-hidden
      style={{
        ...box,
        background: "linear-gradient(135deg, #fff1e6, #ffd8bf)",
        color: "#d4380d",
        display: "flex",
        alignItems: "center",
        justifyContent: "center",
        fontSize: typeof size === "number" ? size / 3 : 40,
        fontWeight: 600,
      }}
    >
      {product.name.slice(0, 1)}
    </div>
  );
}
