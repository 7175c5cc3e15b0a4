/**
 * Realistic example bodies for the OpenAPI document (one shop, one day):
 * members with masked phones where others see them, amounts as decimal text.
 * Routes pass them to `responses(ok, { example })` and `withExample(body, …)`.
 */

export const EX_TOKEN = "m_9kQ2xW7rT1vB8nL4pZ6yH3cJ5dF0gA2sE7uI9oK1mN";
export const EX_REQUEST_ID = "3f1c2a9e-5b7d-4e21-9a0c-6d2b8e4f1a37";

export const EX_MEMBER = {
  id: "1024",
  phone: "13812345678",
  inviteCode: "K7P2QX",
  referrerId: "1001",
  depth: 2,
  createdAt: "2026-01-05T02:13:07.000Z",
};

export const EX_NETWORK_MEMBER = { id: "1031", phone: "139****5678", createdAt: "2026-01-06T08:40:11.000Z" };

export const EX_TEAM = {
  businessDay: "2026-01-08",
  generation1: 3,
  generation2: 7,
  downlineSize: 12,
  performance: { total: "3564.00", cash: "3465.00", points: "99.00" },
};

export const EX_PRODUCT = {
  id: "3",
  name: "五常大米礼盒 5kg",
  description: "当季新米，真空包装。",
  price: "99.00",
  plans: ["equity", "release"],
  membershipPackage: false,
  active: true,
  stock: 120,
  soldOut: false,
  imageUrl: "/products/images/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
};

export const EX_ORDER = {
  id: "1024",
  memberId: "1024",
  productId: "3",
  quantity: 2,
  plans: ["equity", "release"],
  amount: "198.00",
  points: "18.00",
  cash: "180.00",
  status: "paid",
  provider: "manual",
  externalId: null,
  createdAt: "2026-01-05T03:20:00.000Z",
  paidAt: "2026-01-05T03:25:41.000Z",
  paidDay: "2026-01-05",
  eligibleDay: "2026-01-13",
  refundedAt: null,
  checkoutId: null,
};

export const EX_PENDING_ORDER = {
  ...EX_ORDER,
  status: "pending",
  paidAt: null,
  paidDay: null,
  eligibleDay: null,
};

export const EX_WITHDRAWAL = {
  id: "57",
  memberId: "1024",
  amount: "500.00",
  fee: "3.00",
  payout: "497.00",
  feeRate: "0.006",
  status: "pending",
  businessDay: "2026-01-08",
  requestedAt: "2026-01-08T06:02:19.000Z",
  decidedAt: null,
  reason: null,
  payoutProvider: null,
  payoutNo: null,
  payoutProviderId: null,
  payoutFinishedAt: null,
  payoutFailure: null,
  payoutAction: null,
};

export const EX_WALLETS = [
  { wallet: "cash", asset: "cny", balance: "1280.50", debt: "0.00" },
  { wallet: "points", asset: "points", balance: "158.04", debt: "0" },
  { wallet: "gift", asset: "points", balance: "1830.4", debt: "0" },
  { wallet: "equity", asset: "equity", balance: "21.45", debt: "0" },
  { wallet: "stable", asset: "stable", balance: "120", debt: "0" },
];

export const EX_OPERATOR = {
  id: "2",
  username: "caiwu.li",
  displayName: "李会计",
  role: "finance",
  active: true,
  createdAt: "2026-01-02T01:00:00.000Z",
};

export const EX_EQUITY_FIGURES = {
  businessDay: "2026-01-08",
  price: "1.2604",
  pool: "27036.000000",
  circulating: "21450",
  issued: "22000",
  burned: "550",
  treasury: "3200",
};

export const EX_EQUITY_RESULT = {
  dryRun: false,
  transactionId: "88213",
  kind: "equity.sell",
  moved: { equity: "-10", cash: "11.97" },
  exited: false,
  price: "1.2604",
  wallets: { cash: "1292.47", equity: "11.45", stable: "120", exitQuota: "360" },
  sale: { value: "13.30", fee: "1.33", proceeds: "11.97", feeRate: "0.1" },
};

/** A page of `items` with the next page's cursor. */
export const page = <T>(items: T[], nextCursor: string | null = null) => ({ items, nextCursor });
