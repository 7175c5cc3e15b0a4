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
 *   BENCH_CONNECTIONS   concurrent connections (default 10)
 *
 * Member equity commands (sells and conversions to stable points, issue 14) are
 * measured twice in the same run, each on a server of its own with a database
 * of its own: one transaction per command (EQUITY_WRITER=serial) and through
 * the shop's equity writer (batches, the default), and the ratio printed.
 * Then the writer alone, without HTTP (writer-alone.ts; BENCH_WRITER_COMMANDS,
 * default 20,000), against plain batched inserts of the same rows.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { availableParallelism, cpus } from "node:os";
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
    equityWriter: writer === "batched" ? { windowMs: 2, maxBatch: 200 } : null,
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
  await autocannon({ ...options, duration: Math.min(2, options.duration) }); // warm-up, not reported
  const result = await autocannon(options);
  return { name, result };
}

function report(rows: readonly Row[], meta: string): void {
  const hello = rows[0]?.result.requests.average ?? 1;
  const header = ["scenario", "req/s", "p50 ms", "p99 ms", "vs hello", "requests", "non-2xx", "errors"];
  const lines = rows.map((r) => [
    r.name,
    r.result.requests.average.toFixed(0),
    r.result.latency.p50.toFixed(1),
    r.result.latency.p99.toFixed(1),
    `${((100 * r.result.requests.average) / hello).toFixed(1)}%`,
    String(r.result.requests.total),
    String(r.result.non2xx),
    String(r.result.errors),
  ]);
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

/**
 * One Jifen server (EQUITY_WRITER `writer`) on its own database: on the serial
 * one balance reads and equity orders as before; on both, member equity
 * commands — sells of 0.001 points and conversions of 0.001 points to stable
 * points, alternating, from every member's token in turn.
 */
async function jifenScenarios(
  autocannon: Autocannon,
  databaseUrl: URL,
  writer: "serial" | "batched",
  seconds: number,
  connections: number,
): Promise<{ rows: Row[]; summary: string }> {
  const rows: Row[] = [];
  const jifen = await startServer(["serve-jifen", databaseUrl.toString(), writer]);
  try {
    const base = jifen.address;
    const operator = (await http(base, "POST", "/admin/auth/login", ADMIN)).token as string;
    const phones = Array.from({ length: MEMBERS }, (_, i) => `1390000${String(i).padStart(4, "0")}`);
    const tokens: string[] = [];
    for (const phone of phones) tokens.push(await registerMember(base, operator, phone));
    const products = await http(base, "GET", "/products");
    const equity = products.items.find((p: { plans: string[] }) => p.plans.includes("equity"));
    let summary = "";
    if (writer === "serial") {
      rows.push(
        await measure(autocannon, "balance reads (GET /me/wallets, bearer)", {
          url: `${base}/me/wallets`,
          connections,
          duration: seconds,
          headers: { authorization: `Bearer ${tokens[0]}` },
        }),
      );
      const { signWebhook } = await import("../src/index.ts");
      let n = 0;
      rows.push(
        await measure(autocannon, "equity orders (POST /webhooks/payments)", {
          url: base,
          connections,
          duration: seconds,
          requests: [
            {
              method: "POST",
              path: "/webhooks/payments",
              setupRequest(request) {
                n++;
                const body = JSON.stringify({
                  event: "order.paid",
                  externalId: `bench-${n}`,
                  phone: phones[n % MEMBERS],
                  productId: equity.id,
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
        }),
      );
      const db = new pg.Client({ connectionString: databaseUrl.toString() });
      await db.connect();
      const counts = await db.query<{ orders: string; grants: string }>(
        `select (select count(*) from orders where status = 'paid') as orders,
                (select count(*) from order_rewards) as grants`,
      );
      await db.end();
      const figures = await http(base, "GET", "/admin/equity", undefined, operator);
      summary =
        `after the orders: ${counts.rows[0]?.orders} paid orders, ${counts.rows[0]?.grants} equity grants; ` +
        `price ${figures.price}, pool ${figures.pool}, circulating ${figures.circulating}`;
    } else {
      await fundMembers(base, phones, equity.id, 5);
    }
    let k = 0;
    rows.push(
      await measure(autocannon, `member equity commands, ${writer} (POST /me/equity/sell | to-stable)`, {
        url: base,
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
                headers: {
                  "content-type": "application/json",
                  authorization: `Bearer ${tokens[k % MEMBERS]}`,
                },
              };
            },
          },
        ],
      }),
    );
    const db = new pg.Client({ connectionString: databaseUrl.toString() });
    await db.connect();
    const done = await db.query<{ n: string }>(
      "select count(*) as n from ledger_transactions where kind in ('equity.sell', 'equity.toStable')",
    );
    await db.end();
    summary += `${summary ? "; " : ""}${writer}: ${done.rows[0]?.n} sells and conversions in the ledger`;
    return { rows, summary };
  } finally {
    await stopServer(jifen.child);
  }
}

async function main(): Promise<void> {
  const require = createRequire(import.meta.url);
  const autocannon = require("autocannon") as Autocannon;
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
  const adminUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const dbName = `jifen_bench_${process.pid}`;
  const databaseUrl = new URL(adminUrl);
  databaseUrl.pathname = `/${dbName}`;

  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const version = (await admin.query<{ server_version: string }>("show server_version")).rows[0]
    ?.server_version;
  await admin.query(`create database ${dbName}`);
  const rows: Row[] = [];
  let summary = "";
  try {
    const hello = await startServer(["serve-hello"]);
    try {
      rows.push(
        await measure(autocannon, "Fastify hello-world (GET /)", {
          url: hello.address,
          connections,
          duration: seconds,
        }),
      );
    } finally {
      await stopServer(hello.child);
    }

    const serial = await jifenScenarios(autocannon, databaseUrl, "serial", seconds, connections);
    rows.push(...serial.rows);
    const batchedUrl = new URL(databaseUrl);
    batchedUrl.pathname = `/${dbName}_b`;
    await admin.query(`create database ${dbName}_b`);
    const batched = await jifenScenarios(autocannon, batchedUrl, "batched", seconds, connections);
    rows.push(...batched.rows);
    const aloneUrl = new URL(databaseUrl);
    aloneUrl.pathname = `/${dbName}_w`;
    await admin.query(`create database ${dbName}_w`);
    const { writerAlone } = await import("./writer-alone.ts");
    const alone = await writerAlone(
      aloneUrl.toString(),
      Number(process.env.BENCH_WRITER_COMMANDS ?? 20_000),
      200,
    );
    const rate = (r: Row | undefined) => r?.result.requests.average ?? 0;
    const [s, b] = [serial.rows.at(-1), batched.rows.at(-1)];
    summary =
      `${serial.summary}\n` +
      `member equity commands: batched ${rate(b).toFixed(0)} / serial ${rate(s).toFixed(0)} req/s = ` +
      `${(rate(b) / Math.max(1, rate(s))).toFixed(2)}× (p99 ${b?.result.latency.p99} ms vs ${s?.result.latency.p99} ms); ` +
      `${batched.summary}\n${alone}`;
  } finally {
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.query(`drop database if exists ${dbName}_b with (force)`);
    await admin.query(`drop database if exists ${dbName}_w with (force)`);
    await admin.end();
  }
  const cpu = cpus()[0]?.model ?? "cpu";
  report(
    rows,
    `Jifen API bench — Node ${process.version}, PostgreSQL ${version}, ${availableParallelism()} cores (${cpu}); ` +
      `${connections} connections, ${seconds} s per scenario after a 2 s warm-up; servers in child processes, logging off`,
  );
  process.stdout.write(`\n${summary}\n`);
}

const [mode, arg] = process.argv.slice(2);
if (mode === "serve-hello") await serveHello();
else if (mode === "serve-jifen") await serveJifen(arg as string, process.argv[4] ?? "serial");
else await main();
