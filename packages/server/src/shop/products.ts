import { formatDecimal, parseDecimal } from "@jifen/engine";
import type { Queryable, Tx } from "../db/index.ts";
import { fail } from "../errors/index.ts";

/** The reward plans a product can take part in. */
export const PLANS = ["equity", "cycle", "release"] as const;
export type Plan = (typeof PLANS)[number];

/** A product of the shop. */
export interface Product {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** Price in micro-units of yuan (whole fen). */
  readonly price: bigint;
  readonly plans: Plan[];
  /** A membership package (会员礼包): its orders count for the release plan's grades. */
  readonly membershipPackage: boolean;
  readonly active: boolean;
  /** Units left to sell; null = unlimited (docs/rules.md "Shop"). */
  readonly stock: number | null;
  /** The product's image (SHA-256 of its bytes, see images.ts), or null. */
  readonly imageId: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

interface Row {
  id: string;
  name: string;
  description: string;
  price: string;
  plans: Plan[];
  membership_package: boolean;
  active: boolean;
  stock: number | null;
  image_id: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS =
  "id, name, description, price, plans, membership_package, active, stock, image_id, created_at, updated_at";

function toProduct(r: Row): Product {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    price: parseDecimal(r.price),
    plans: r.plans,
    membershipPackage: r.membership_package,
    active: r.active,
    stock: r.stock === null ? null : Number(r.stock),
    imageId: r.image_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/**
 * Checks a product's plans: known, no repeats. An empty list is a product of
 * ordinary goods (docs/rules.md §0 Orders): its orders earn no reward of their
 * own but count in team and network performance.
 */
export function checkPlans(plans: readonly string[]): Plan[] {
  for (const plan of plans) {
    if (!(PLANS as readonly string[]).includes(plan)) {
      fail("UNKNOWN_PLAN", { field: "plans", detail: { zh: plan, en: plan } });
    }
  }
  return [...new Set(plans)] as Plan[];
}

/** The fields an operator sets on a product. */
export interface ProductInput {
  readonly name: string;
  readonly description: string;
  readonly price: bigint;
  readonly plans: Plan[];
  readonly membershipPackage: boolean;
  readonly active: boolean;
  /** Units on hand; null or absent = unlimited. */
  readonly stock?: number | null;
  readonly imageId?: string | null;
}

/** Adds a product. */
export async function insertProduct(tx: Tx, input: ProductInput, now: Date): Promise<Product> {
  const rows = await tx.query<Row>(
    `insert into products (name, description, price, plans, membership_package, active, stock, image_id,
       created_at, updated_at)
     values ($1, $2, $3::numeric, $4::text[], $5, $6, $8::integer, $9, $7::timestamptz, $7::timestamptz)
     returning ${COLUMNS}`,
    [
      input.name,
      input.description,
      formatDecimal(input.price),
      input.plans,
      input.membershipPackage,
      input.active,
      now.toISOString(),
      input.stock ?? null,
      input.imageId ?? null,
    ],
  );
  return toProduct(rows.rows[0] as Row);
}

/** Replaces a product's fields (orders keep the price and plans they were placed with). */
export async function updateProduct(tx: Tx, id: string, input: ProductInput, now: Date): Promise<Product> {
  const rows = await tx.query<Row>(
    `update products set name = $2, description = $3, price = $4::numeric, plans = $5::text[],
       membership_package = $6, active = $7, updated_at = $8::timestamptz, stock = $9::integer, image_id = $10
     where id = $1::bigint returning ${COLUMNS}`,
    [
      id,
      input.name,
      input.description,
      formatDecimal(input.price),
      input.plans,
      input.membershipPackage,
      input.active,
      now.toISOString(),
      input.stock ?? null,
      input.imageId ?? null,
    ],
  );
  const row = rows.rows[0];
  if (!row) fail("PRODUCT_NOT_FOUND");
  return toProduct(row);
}

/** The product with this id. */
export async function findProduct(q: Queryable, id: string): Promise<Product | null> {
  const rows = await q.query<Row>(`select ${COLUMNS} from products where id = $1::bigint`, [id]);
  const row = rows.rows[0];
  return row ? toProduct(row) : null;
}

/**
 * The products with these ids, their rows locked in id order (the equity
 * writer's orders of a batch, issue 14: read once, their stock taken in memory).
 */
export async function lockProducts(tx: Tx, ids: readonly string[]): Promise<Map<string, Product>> {
  const rows = await tx.query<Row>(
    `select ${COLUMNS} from products where id = any($1::bigint[]) order by id for update`,
    [[...new Set(ids)]],
  );
  return new Map(rows.rows.map((r) => [r.id, toProduct(r)]));
}

/** A page of products in id order (newest first for operators); only those on sale when `activeOnly`. */
export async function listProducts(
  q: Queryable,
  options: {
    activeOnly: boolean;
    cursor?: string | null;
    limit?: number;
    name?: string;
    newestFirst?: boolean;
    /** Only those on sale (true) or off sale (false). */
    active?: boolean;
  },
): Promise<{ items: Product[]; nextCursor: string | null }> {
  const limit = options.limit ?? 100;
  const desc = options.newestFirst === true;
  const rows = await q.query<Row>(
    `select ${COLUMNS} from products
     where ($1::boolean = false or active) and ($6::boolean is null or active = $6::boolean)
       and ($2::bigint is null or (case when $4::boolean then id < $2::bigint else id > $2::bigint end))
       and ($3::text is null or strpos(lower(name), lower($3::text)) > 0)
     order by case when $4::boolean then -id else id end limit $5`,
    [
      options.activeOnly,
      options.cursor ?? null,
      options.name ?? null,
      desc,
      limit + 1,
      options.active ?? null,
    ],
  );
  const items = rows.rows.slice(0, limit).map(toProduct);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.rows.length > limit && last ? last.id : null };
}

/**
 * Takes `quantity` units of a product's stock in the one statement that
 * checks there are enough (docs/rules.md "Shop"): concurrent orders queue on
 * the row and each re-reads the stock left, so it never goes below zero.
 * Unlimited stock (null) is not touched. Refuses OUT_OF_STOCK naming what is left.
 */
export async function takeStock(tx: Tx, product: Product, quantity: number): Promise<void> {
  if (product.stock === null) return;
  const taken = await tx.query<{ stock: number }>(
    "update products set stock = stock - $2 where id = $1::bigint and stock >= $2 returning stock",
    [product.id, quantity],
  );
  if (taken.rows.length > 0) return;
  const left = await tx.query<{ stock: number | null }>("select stock from products where id = $1::bigint", [
    product.id,
  ]);
  const stock = left.rows[0]?.stock ?? 0;
  fail("OUT_OF_STOCK", {
    field: "quantity",
    detail: { zh: `「${product.name}」仅剩 ${stock} 件`, en: `only ${stock} left of "${product.name}"` },
  });
}

/** Gives `quantity` units back to a product's stock (a cancelled or refunded order); unlimited stays unlimited. */
export async function returnStock(tx: Tx, productId: string, quantity: number): Promise<void> {
  await tx.query("update products set stock = stock + $2 where id = $1::bigint and stock is not null", [
    productId,
    quantity,
  ]);
}
