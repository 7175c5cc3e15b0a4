/** The demo data a fresh database starts with: one admin operator and a few products. */
import { parseDecimal } from "@jifen/engine";
import { hashPassword, type PasswordOptions } from "./auth/passwords.ts";
import type { Db } from "./db/index.ts";
import { insertOperator } from "./operators/index.ts";
import { DEFAULT_ADMIN_PASSWORD } from "./settings.ts";
import { insertProduct, type ProductInput, setDemoPayment } from "./shop/index.ts";

/** The demo products (prices in yuan). */
export const DEMO_PRODUCTS: readonly ProductInput[] = [
  {
    name: "初级会员礼包",
    description: "会员礼包：赠送积分按日释放（积分通证）",
    price: parseDecimal("3000"),
    plans: ["release"],
    membershipPackage: true,
    active: true,
  },
  {
    name: "中级会员礼包",
    description: "会员礼包：赠送积分按日释放（积分通证）",
    price: parseDecimal("9000"),
    plans: ["release"],
    membershipPackage: true,
    active: true,
  },
  {
    name: "有机大米 5kg",
    description: "日常消费：消费增值（增值积分）",
    price: parseDecimal("99.00"),
    plans: ["equity"],
    membershipPackage: false,
    active: true,
    stock: 200,
  },
  {
    name: "精选茶叶礼盒",
    description: "循环购：分红额度与权重",
    price: parseDecimal("199.00"),
    plans: ["cycle"],
    membershipPackage: false,
    active: true,
    stock: 50,
  },
];

/** What seeding did. */
export interface SeedResult {
  readonly adminCreated: boolean;
  readonly productsCreated: number;
}

/** Creates the admin operator when there is no operator, and the demo products when there is no product. */
export async function seed(
  db: Db,
  options: {
    adminUsername: string;
    adminPassword: string;
    passwords: PasswordOptions;
    products: boolean;
    now: Date;
  },
): Promise<SeedResult> {
  const passwordHash = await hashPassword(options.adminPassword, options.passwords);
  return db.transaction(async (tx) => {
    await tx.query("select pg_advisory_xact_lock(hashtext('jifen.seed'))");
    const operators = await tx.query<{ n: string }>("select count(*) as n from operators");
    let adminCreated = false;
    if (Number(operators.rows[0]?.n) === 0) {
      await insertOperator(tx, {
        username: options.adminUsername,
        displayName: "管理员",
        role: "admin",
        passwordHash,
        // The built-in demo password is public: the first sign-in must replace it.
        // A password given through ADMIN_PASSWORD is the operator's own.
        mustChangePassword: options.adminPassword === DEFAULT_ADMIN_PASSWORD,
        now: options.now,
      });
      adminCreated = true;
    }
    let productsCreated = 0;
    const products = await tx.query<{ n: string }>("select count(*) as n from products");
    if (options.products && Number(products.rows[0]?.n) === 0) {
      for (const product of DEMO_PRODUCTS) await insertProduct(tx, product, options.now);
      productsCreated = DEMO_PRODUCTS.length;
      // The demo shop lets a newcomer finish a purchase without any outside account (docs/h5.md).
      await setDemoPayment(tx, true);
    }
    return { adminCreated, productsCreated };
  });
}
