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
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = "id, name, description, price, plans, membership_package, active, created_at, updated_at";

function toProduct(r: Row): Product {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    price: parseDecimal(r.price),
    plans: r.plans,
    membershipPackage: r.membership_package,
    active: r.active,
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
}

/** Adds a product. */
export async function insertProduct(tx: Tx, input: ProductInput, now: Date): Promise<Product> {
  const rows = await tx.query<Row>(
    `insert into products (name, description, price, plans, membership_package, active, created_at, updated_at)
     values ($1, $2, $3::numeric, $4::text[], $5, $6, $7::timestamptz, $7::timestamptz) returning ${COLUMNS}`,
    [
      input.name,
      input.description,
      formatDecimal(input.price),
      input.plans,
      input.membershipPackage,
      input.active,
      now.toISOString(),
    ],
  );
  return toProduct(rows.rows[0] as Row);
}

/** Replaces a product's fields (orders keep the price and plans they were placed with). */
export async function updateProduct(tx: Tx, id: string, input: ProductInput, now: Date): Promise<Product> {
  const rows = await tx.query<Row>(
    `update products set name = $2, description = $3, price = $4::numeric, plans = $5::text[],
       membership_package = $6, active = $7, updated_at = $8::timestamptz
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

/** Products in id order; only those on sale when `activeOnly`. */
export async function listProducts(q: Queryable, activeOnly: boolean): Promise<Product[]> {
  const rows = await q.query<Row>(
    `select ${COLUMNS} from products where ($1::boolean = false or active) order by id limit 500`,
    [activeOnly],
  );
  return rows.rows.map(toProduct);
}
