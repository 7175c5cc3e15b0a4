import { Type } from "@fastify/type-provider-typebox";
import type { Tx } from "../db/index.ts";
import { fail } from "../errors/index.ts";
import { parseYuan } from "../http/amounts.ts";
import { command } from "../http/command.ts";
import type { App, AppContext } from "../http/context.ts";
import { EX_PRODUCT } from "../http/examples.ts";
import { MAX_PRICE_MICRO } from "../http/limits.ts";
import { operatorAccess } from "../http/operator-access.ts";
import {
  createdResponses,
  Decimal,
  IdempotencyHeaders,
  IdParams,
  Nullable,
  Page,
  pageLimit,
  pageQuery,
  responses,
  Text,
  withExample,
} from "../http/schemas.ts";
import { imageExists } from "./images.ts";
import { checkPlans, findProduct, insertProduct, listProducts, updateProduct } from "./products.ts";
import { ProductSchema, productView } from "./views.ts";

/** Products for operators: list, create, change, retire. Mounted under /admin. */
export async function productOperatorRoutes(app: App, ctx: AppContext): Promise<void> {
  const { anyone, admin, audit } = operatorAccess(ctx);

  // ---- products ----------------------------------------------------------

  const ProductBody = Type.Object({
    name: Text({ minLength: 1, maxLength: 100 }),
    description: Text({ maxLength: 2000, default: "", multiline: true }),
    price: Decimal("yuan, at most 2 decimals"),
    plans: Type.Array(Type.String(), { maxItems: 3, description: "equity, cycle, release" }),
    membershipPackage: Type.Boolean({ default: false }),
    active: Type.Boolean({ default: true }),
    stock: Type.Optional(
      Nullable(
        Type.String({
          pattern: "^(0|[1-9][0-9]{0,8})$",
          description:
            "库存 / units on hand, a whole number 0–999,999,999 (JSON integer or its text); null = unlimited; absent: unlimited when created, unchanged when changed",
        }),
      ),
    ),
    imageId: Type.Optional(
      Nullable(
        Type.String({
          pattern: "^[0-9a-f]{64}$",
          description:
            "an uploaded image's id (POST /admin/product-images); null: no image; absent: unchanged",
        }),
      ),
    ),
  });
  const productInput = (body: {
    name: string;
    description: string;
    price: string;
    plans: string[];
    membershipPackage: boolean;
    active: boolean;
    stock?: string | null;
    imageId?: string | null;
  }) => ({
    name: body.name,
    description: body.description,
    price: parseYuan(body.price, "price", MAX_PRICE_MICRO),
    plans: checkPlans(body.plans),
    membershipPackage: body.membershipPackage,
    active: body.active,
    ...(body.stock !== undefined ? { stock: body.stock === null ? null : Number(body.stock) } : {}),
    ...(body.imageId !== undefined ? { imageId: body.imageId } : {}),
  });
  const checkImage = async (tx: Tx, imageId: string | null | undefined) => {
    if (imageId && !(await imageExists(tx, imageId))) fail("IMAGE_NOT_FOUND", { field: "imageId" });
  };

  app.get(
    "/products",
    {
      preValidation: anyone,
      schema: {
        tags: ["admin"],
        summary: "全部商品 / all products",
        operationId: "listAllProducts",
        description:
          "运营查看全部商品（包括已下架的），新的在前，可按名称搜索、按上下架筛选。 / Operators list every product, those off sale included, newest first; search by name, filter by on/off sale.",
        querystring: pageQuery({
          name: Type.Optional(Text({ maxLength: 100, description: "part of the name" })),
          active: Type.Optional(Type.Union([Type.Literal("true"), Type.Literal("false")])),
        }),
        response: responses(Page(ProductSchema), {
          example: {
            nextCursor: null,
            items: [
              EX_PRODUCT,
              {
                ...EX_PRODUCT,
                id: "4",
                name: "会员礼包",
                price: "999.00",
                membershipPackage: true,
                active: false,
              },
            ],
          },
        }),
      },
    },
    async (request) => {
      const page = await listProducts(ctx.db, {
        activeOnly: false,
        newestFirst: true,
        cursor: request.query.cursor ?? null,
        limit: pageLimit(request.query.limit),
        ...(request.query.name ? { name: request.query.name } : {}),
        ...(request.query.active ? { active: request.query.active === "true" } : {}),
      });
      return { items: page.items.map(productView), nextCursor: page.nextCursor };
    },
  );

  app.post(
    "/products",
    {
      preValidation: admin,
      schema: {
        tags: ["admin"],
        summary: "新增商品 / add a product",
        operationId: "createProduct",
        description:
          "管理员新增商品，设定价格与参与的奖励计划（equity、cycle、release）。 / Admins add a product with its price and the reward plans it takes part in (equity, cycle, release).",
        headers: IdempotencyHeaders,
        body: withExample(ProductBody, {
          name: "五常大米礼盒 5kg",
          description: "当季新米，真空包装。",
          price: "99.00",
          plans: ["equity", "release"],
          membershipPackage: false,
          active: true,
        }),
        response: createdResponses(ProductSchema, {
          errors: [
            "INVALID_AMOUNT",
            "TOO_MANY_PLACES",
            "AMOUNT_NOT_POSITIVE",
            "AMOUNT_TOO_LARGE",
            "UNKNOWN_PLAN",
            "IMAGE_NOT_FOUND",
          ],
          example: EX_PRODUCT,
        }),
      },
    },
    async (request, reply) => {
      const input = productInput(request.body);
      return command(
        ctx,
        request,
        reply,
        async (tx) => {
          await checkImage(tx, input.imageId);
          const product = await insertProduct(tx, input, ctx.clock.now());
          await audit(request, tx, "product.create", "product", product.id, {
            name: product.name,
            price: productView(product).price,
          });
          return productView(product);
        },
        201,
      );
    },
  );

  app.put(
    "/products/:id",
    {
      preValidation: admin,
      schema: {
        tags: ["admin"],
        summary: "修改商品 / change a product",
        operationId: "updateProduct",
        description:
          "管理员修改商品的名称、说明、价格、计划与上下架状态；已下的订单不受影响。 / Admins change a product's name, description, price, plans and whether it is on sale; orders already placed keep theirs.",
        headers: IdempotencyHeaders,
        params: IdParams,
        body: withExample(ProductBody, {
          name: "五常大米礼盒 5kg",
          description: "当季新米，真空包装，顺丰包邮。",
          price: "109.00",
          plans: ["equity", "release"],
          membershipPackage: false,
          active: true,
        }),
        response: responses(ProductSchema, {
          errors: [
            "PRODUCT_NOT_FOUND",
            "INVALID_AMOUNT",
            "TOO_MANY_PLACES",
            "AMOUNT_NOT_POSITIVE",
            "AMOUNT_TOO_LARGE",
            "UNKNOWN_PLAN",
            "IMAGE_NOT_FOUND",
          ],
          example: { ...EX_PRODUCT, description: "当季新米，真空包装，顺丰包邮。", price: "109.00" },
        }),
      },
    },
    async (request, reply) => {
      const input = productInput(request.body);
      return command(ctx, request, reply, async (tx) => {
        await checkImage(tx, input.imageId);
        const before = await findProduct(tx, request.params.id);
        if (!before) fail("PRODUCT_NOT_FOUND");
        const merged = { stock: before.stock, imageId: before.imageId, ...input };
        const product = await updateProduct(tx, request.params.id, merged, ctx.clock.now());
        await audit(request, tx, "product.update", "product", product.id, {
          name: product.name,
          price: productView(product).price,
          active: product.active,
          stock: product.stock,
        });
        return productView(product);
      });
    },
  );

  app.delete(
    "/products/:id",
    {
      preValidation: admin,
      schema: {
        tags: ["admin"],
        summary: "下架商品 / take a product off sale",
        operationId: "deactivateProduct",
        description:
          "管理员下架商品（不删除，已下的订单不受影响）。 / Admins take a product off sale (it is kept; orders already placed are unaffected).",
        headers: IdempotencyHeaders,
        params: IdParams,
        response: responses(ProductSchema, {
          errors: ["PRODUCT_NOT_FOUND"],
          example: { ...EX_PRODUCT, active: false },
        }),
      },
    },
    async (request, reply) =>
      command(ctx, request, reply, async (tx) => {
        const product = await findProduct(tx, request.params.id);
        if (!product) fail("PRODUCT_NOT_FOUND");
        const updated = await updateProduct(tx, product.id, { ...product, active: false }, ctx.clock.now());
        await audit(request, tx, "product.deactivate", "product", product.id);
        return productView(updated);
      }),
  );
}
