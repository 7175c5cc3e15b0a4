/**
 * `npm run bench:api`: requests per second and latency of the HTTP API on the
 * local PostgreSQL, against a bare Fastify hello-world measured in the same
 * run. Each server runs in a child process (autocannon and the server do not
 * share an event loop); the Jifen server gets a throwaway database, dropped at
 * the end. Prints figures only: timings are never asserted.
 *
 *   BENCH_DATABASE_URL  an existing database to connect to for create/drop
 *                       (default postgres://postgres@127.0.0.1:5432/postgres)
 *   BENCH_SECONDS       measured seconds per scenario (default 10)
 *   BENCH_CONNECTIONS   concurrent connections, a list (default 10,100,500)
 *   BENCH_WRITER_COMMANDS, BENCH_WRITER_BATCHES  the writer alone: commands
 *                       (default 20,000) and batch sizes (default 200,1000)
 *
 * Two Jifen servers run side by side, each with a database of its own: one
 * with the shop's equity writer (EQUITY_WRITER=batched, the default) and one
 * with one transaction per command (serial). At each number of connections:
 * hello-world, balance reads, paid equity orders (webhook deliveries of new
 * orders of the equity plan: through the writer on the batched server, issue
 * 14) on both servers, member equity commands (sells and conversions)
 * through the writer; the ratios are printed per level (orders against the balance
 * reads and hello-world of the same run, p99 against the 2 ms window + 50 ms).
 * Then the writer alone, without HTTP (writer-alone.ts): member commands, then
 * a flash sale's paid orders (webhook deliveries), each against a floor of
 * plain batched COPY of the same ledger rows.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { availableParallelism, cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import pg from "pg";

/** The part of autocannon's options and results this bench uses (the package ships no types). */
interface CannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}
interface CannonOptions {
  url: string;
  connections: number;
  duration: number;
  timeout?: number;
  headers?: Record<string, string>;
  requests?: (CannonRequest & { setupRequest?: (request: CannonRequest) => CannonRequest })[];
}
interface Histogram {
  average: number;
  p50: number;
  p99: number;
}
interface CannonResult {
  requests: Histogram & { total: number };
  latency: Histogram;
  non2xx: number;
  errors: number;
  duration: number;
}
type Autocannon = (options: CannonOptions) => Promise<CannonResult>;

const WEBHOOK_SECRET = "bench-webhook-secret-0123456789";
const ADMIN = { username: "admin", password: "bench-admin-pass-1" };
const MEMBERS = 10;

// ---- child processes: the servers -------------------------------------------------

async function serveHello(): Promise<void> {
  const { default: Fastify } = await import("fastify");
  const app = Fastify({ logger: false });
  app.get("/", async () => ({ hello: "world" }));
  const address = await app.listen({ port: 0, host: "127.0.0.1" });
  process.stdout.write(`${JSON.stringify({ address })}\n`);
}

async function serveJifen(databaseUrl: string, writer: string): Promise<void> {
  const { buildApp, DEFAULT_PASSWORD_OPTIONS, openPg, migrate, seed } = await import("../src/index.ts");
  const db = await openPg({ connectionString: databaseUrl });
  await migrate(db);
  await seed(db, {
    adminUsername: ADMIN.username,
    adminPassword: ADMIN.password,
    passwords: DEFAULT_PASSWORD_OPTIONS,
    products: true,
    now: new Date(),
  });
  const app = await buildApp({
    db,
    webhookSecret: WEBHOOK_SECRET,
    logger: false,
    equityWriter:
      writer === "batched" ? { windowMs: 2, maxBatch: Number(process.env.WRITER_BATCH_MAX ?? 200) } : null,
  });
  const address = await app.listen({ port: 0, host: "127.0.0.1" });
  process.stdout.write(`${JSON.stringify({ address })}\n`);
  process.on("SIGTERM", () => {
    void app
      .close()
      .then(() => db.close())
      .then(() => process.exit(0));
  });
}

// ---- the parent: set up, measure, print ------------------------------------------

function startServer(args: string[]): Promise<{ child: ChildProcess; address: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let buffered = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const line = buffered.split("\n")[0];
      if (buffered.includes("\n") && line) resolve({ child, address: JSON.parse(line).address as string });
    });
    child.on("exit", (code) => reject(new Error(`server ${args[0]} exited with ${code} before listening`)));
  });
}

function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.on("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

async function http(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
  // biome-ignore lint/suspicious/noExplicitAny: the bench reads a few response fields
): Promise<any> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const data = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(data)}`);
  return data;
}

/** Registers a member through the API (the SMS code read back from the console outbox). */
async function registerMember(base: string, admin: string, phone: string): Promise<string> {
  await http(base, "POST", "/auth/sms-codes", { phone, purpose: "register" });
  const outbox = await http(base, "GET", `/admin/sms-outbox?phone=${phone}&limit=1`, undefined, admin);
  const code = /(\d{6})/.exec(outbox.items[0].content)?.[1];
  const registered = await http(base, "POST", "/auth/register", { phone, code, password: "bench-member-1" });
  return registered.token as string;
}

interface Row {
  readonly name: string;
  readonly result: CannonResult;
}

async function measure(autocannon: Autocannon, name: string, options: CannonOptions): Promise<Row> {
  // A slow answer is counted, not dropped (autocannon's default gives up after 10 s).
  const timed = { timeout: 60, ...options };
  await autocannon({ ...timed, duration: Math.min(2, options.duration) }); // warm-up, not reported
  const result = await autocannon(timed);
  process.stderr.write(
    `${name}: ${result.requests.average.toFixed(0)} req/s, p99 ${result.latency.p99} ms\n`,
  );
  return { name, result };
}

function report(rows: readonly Row[], meta: string): void {
  // Each row against the hello-world of its number of connections (the last one before it).
  let hello = 1;
  const header = ["scenario", "req/s", "p50 ms", "p99 ms", "vs hello", "requests", "non-2xx", "errors"];
  const lines = rows.map((r) => {
    if (r.name.startsWith("Fastify hello-world")) hello = r.result.requests.average || 1;
    return [
      r.name,
      r.result.requests.average.toFixed(0),
      r.result.latency.p50.toFixed(1),
      r.result.latency.p99.toFixed(1),
      `${((100 * r.result.requests.average) / hello).toFixed(1)}%`,
      String(r.result.requests.total),
      String(r.result.non2xx),
      String(r.result.errors),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const format = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
      .join("  ");
  process.stdout.write(`\n${meta}\n\n${format(header)}\n${lines.map(format).join("\n")}\n`);
}

/** Members with equity points: each pays `orders` equity orders through the webhook. */
async function fundMembers(base: string, phones: readonly string[], productId: string, orders: number) {
  const { signWebhook } = await import("../src/index.ts");
  for (const [i, phone] of phones.entries())
    for (let k = 0; k < orders; k++) {
      const body = JSON.stringify({ event: "order.paid", externalId: `fund-${i}-${k}`, phone, productId });
      const response = await fetch(`${base}/webhooks/payments`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-jifen-signature": signWebhook(WEBHOOK_SECRET, body),
        },
        body,
      });
      if (!response.ok) throw new Error(`fund ${phone}: ${response.status} ${await response.text()}`);
    }
}

/** A Jifen server (EQUITY_WRITER `writer`) on its own database, with members registered and funded. */
interface Jifen {
  readonly writer: "serial" | "batched";
  readonly child: ChildProcess;
  readonly base: string;
  readonly databaseUrl: URL;
  readonly operator: string;
  readonly phones: readonly string[];
  readonly tokens: readonly string[];
  readonly productId: string;
}

async function startJifen(databaseUrl: URL, writer: "serial" | "batched"): Promise<Jifen> {
  const jifen = await startServer(["serve-jifen", databaseUrl.toString(), writer]);
  const base = jifen.address;
  const operator = (await http(base, "POST", "/admin/auth/login", ADMIN)).token as string;
  const phones = Array.from({ length: MEMBERS }, (_, i) => `1390000${String(i).padStart(4, "0")}`);
  const tokens: string[] = [];
  for (const phone of phones) tokens.push(await registerMember(base, operator, phone));
  const products = await http(base, "GET", "/products");
  const equity = products.items.find((p: { plans: string[] }) => p.plans.includes("equity"));
  // Unlimited stock: the demo product's 200 units would run out during the orders.
  const db = new pg.Client({ connectionString: databaseUrl.toString() });
  await db.connect();
  await db.query("update products set stock = null where id = $1::bigint", [equity.id]);
  await db.end();
  await fundMembers(base, phones, equity.id, 5);
  return { writer, child: jifen.child, base, databaseUrl, operator, phones, tokens, productId: equity.id };
}

/** Balance reads of one member (GET /me/wallets). */
function balanceReads(autocannon: Autocannon, j: Jifen, connections: number, seconds: number) {
  return measure(autocannon, `balance reads (GET /me/wallets), ${connections} conn`, {
    url: `${j.base}/me/wallets`,
    connections,
    duration: seconds,
    headers: { authorization: `Bearer ${j.tokens[0]}` },
  });
}

let orderSerial = 0;

/**
 * Paid equity orders: each request a webhook delivery of a new order of the
 * equity plan (created and paid at once, the grant priced at the price the
 * one before left) — through the writer on the batched server.
 */
async function equityOrders(autocannon: Autocannon, j: Jifen, connections: number, seconds: number) {
  const { signWebhook } = await import("../src/index.ts");
  return measure(autocannon, `equity orders, ${j.writer} (POST /webhooks/payments), ${connections} conn`, {
    url: j.base,
    connections,
    duration: seconds,
    requests: [
      {
        method: "POST",
        path: "/webhooks/payments",
        setupRequest(request) {
          orderSerial++;
          const body = JSON.stringify({
            event: "order.paid",
            externalId: `bench-${j.writer}-${orderSerial}`,
            phone: j.phones[orderSerial % MEMBERS],
            productId: j.productId,
          });
          return {
            ...request,
            body,
            headers: {
              "content-type": "application/json",
              "x-jifen-signature": signWebhook(WEBHOOK_SECRET, body),
            },
          };
        },
      },
    ],
  });
}

/** Member equity commands: sells and conversions of 0.001 points to stable points, alternating, every member in turn. */
function memberCommands(autocannon: Autocannon, j: Jifen, connections: number, seconds: number) {
  let k = 0;
  return measure(autocannon, `member equity commands, ${j.writer} (sell | to-stable), ${connections} conn`, {
    url: j.base,
    connections,
    duration: seconds,
    requests: [
      {
        method: "POST",
        path: "/me/equity/sell",
        setupRequest(request) {
          k++;
          return {
            ...request,
            path: k % 2 === 0 ? "/me/equity/sell" : "/me/equity/to-stable",
            body: JSON.stringify({ points: "0.001" }),
            headers: { "content-type": "application/json", authorization: `Bearer ${j.tokens[k % MEMBERS]}` },
          };
        },
      },
    ],
  });
}

/** What the scenarios left in a server's database. */
async function ledgerSummary(j: Jifen): Promise<string> {
  const db = new pg.Client({ connectionString: j.databaseUrl.toString() });
  await db.connect();
  try {
    const counts = await db.query<{ orders: string; grants: string; commands: string }>(
      `select (select count(*) from orders where status = 'paid') as orders,
              (select count(*) from order_rewards) as grants,
              (select count(*) from ledger_transactions where kind in ('equity.sell', 'equity.toStable')) as commands`,
    );
    const figures = await http(j.base, "GET", "/admin/equity", undefined, j.operator);
    const c = counts.rows[0];
    return (
      `${j.writer}: ${c?.orders} paid orders, ${c?.grants} equity grants, ${c?.commands} sells and conversions; ` +
      `price ${figures.price}, pool ${figures.pool}, circulating ${figures.circulating}`
    );
  } finally {
    await db.end();
  }
}

const rateOf = (r: Row | undefined) => r?.result.requests.average ?? 0;

/** The ratios at one number of connections. */
function ratios(c: number, hello: Row, reads: Row, orders: Row, ordersSerial: Row, commands: Row): string {
  const x = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : "— (none answered in the window)");
  const o = orders.result;
  return (
    `${c} connections: equity orders (writer) ${rateOf(orders).toFixed(0)} req/s = ${x(rateOf(orders), rateOf(reads))} the balance reads, ` +
    `${x(rateOf(orders), rateOf(hello))} hello-world, ${x(rateOf(orders), rateOf(ordersSerial))} the serial path; ` +
    `p50 ${o.latency.p50} ms, p99 ${o.latency.p99} ms (target ≤ 52 ms: window 2 ms + 50); ` +
    `member commands (writer) ${rateOf(commands).toFixed(0)} req/s = ${x(rateOf(commands), rateOf(reads))} the balance reads`
  );
}

async function main(): Promise<void> {
  const require = createRequire(import.meta.url);
  const autocannon = require("autocannon") as Autocannon;
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const levels = (process.env.BENCH_CONNECTIONS ?? "10,100,500").split(",").map(Number);
  const batches = (process.env.BENCH_WRITER_BATCHES ?? "200,1000").split(",").map(Number);
  const adminUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const dbName = `jifen_bench_${process.pid}`;
  const urlOf = (suffix: string) => {
    const url = new URL(adminUrl);
    url.pathname = `/${dbName}${suffix}`;
    return url;
  };

  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const version = (await admin.query<{ server_version: string }>("show server_version")).rows[0]
    ?.server_version;
  const rows: Row[] = [];
  const summary: string[] = [];
  const load: string[] = [];
  try {
    for (const suffix of ["_s", "_b"]) await admin.query(`create database ${dbName}${suffix}`);
    const hello = await startServer(["serve-hello"]);
    const serial = await startJifen(urlOf("_s"), "serial");
    const batched = await startJifen(urlOf("_b"), "batched");
    try {
      for (const c of levels) {
        load.push(`${c} conn: ${loadavg()[0]?.toFixed(1)}`);
        const h = await measure(autocannon, `Fastify hello-world (GET /), ${c} conn`, {
          url: hello.address,
          connections: c,
          duration: seconds,
        });
        const reads = await balanceReads(autocannon, batched, c, seconds);
        const orders = await equityOrders(autocannon, batched, c, seconds);
        const ordersSerial = await equityOrders(autocannon, serial, c, seconds);
        const commands = await memberCommands(autocannon, batched, c, seconds);
        rows.push(h, reads, orders, ordersSerial, commands);
        summary.push(ratios(c, h, reads, orders, ordersSerial, commands));
      }
      summary.push(await ledgerSummary(serial), await ledgerSummary(batched));
    } finally {
      await stopServer(hello.child);
      await stopServer(serial.child);
      await stopServer(batched.child);
    }
    const { writerAlone, writerAloneOrders } = await import("./writer-alone.ts");
    load.push(`writer alone: ${loadavg()[0]?.toFixed(1)}`);
    const commands = Number(process.env.BENCH_WRITER_COMMANDS ?? 20_000);
    for (const maxBatch of batches) {
      await admin.query(`create database ${dbName}_w${maxBatch}`);
      summary.push(await writerAlone(urlOf(`_w${maxBatch}`).toString(), commands, maxBatch));
      await admin.query(`create database ${dbName}_o${maxBatch}`);
      summary.push(await writerAloneOrders(urlOf(`_o${maxBatch}`).toString(), commands, maxBatch));
    }
    load.push(`after: ${loadavg()[0]?.toFixed(1)}`);
  } finally {
    for (const suffix of ["_s", "_b", ...batches.flatMap((b) => [`_w${b}`, `_o${b}`])])
      await admin.query(`drop database if exists ${dbName}${suffix} with (force)`);
    await admin.end();
  }
  const cpu = cpus()[0]?.model ?? "cpu";
  report(
    rows,
    `Jifen API bench — Node ${process.version}, PostgreSQL ${version}, ${availableParallelism()} cores (${cpu}); ` +
      `${levels.join(", ")} connections, ${seconds} s per scenario after a 2 s warm-up; servers in child processes, ` +
      `logging off; load average (1 min) before each: ${load.join(", ")}`,
  );
  process.stdout.write(`\n${summary.join("\n")}\n`);
}

const [mode, arg] = process.argv.slice(2);
if (mode === "serve-hello") await serveHello();
else if (mode === "serve-jifen") await serveJifen(arg as string, process.argv[4] ?? "serial");
else await main();
