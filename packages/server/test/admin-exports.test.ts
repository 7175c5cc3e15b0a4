/**
 * CSV exports (issue 10): UTF-8 with BOM, RFC 4180 quoting, every row once,
 * read a keyset page at a time (the export asks for the next page only when the
 * previous one was consumed), admin and finance only.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Queryable } from "../src/db/index.ts";
import { BOM, csvChunks, csvField, csvText } from "../src/exports/csv.ts";
import { memberExport } from "../src/exports/queries.ts";
import {
  call,
  credit,
  openTestApp,
  operatorToken,
  operatorWithRole,
  register,
  type TestApp,
} from "./support/app.ts";
import { dbTargets } from "./support/db.ts";

/** RFC 4180 parser: rows of fields (quoted fields may hold commas, doubled quotes, line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += ch;
  }
  assert.equal(field, "", "the file ends with CRLF");
  return rows;
}

const MEMBERS = 3000;
const ORDERS = 2500;
const PRODUCT_NAME = '礼盒, "特惠"\n装';

for (const target of dbTargets()) {
  describe(`CSV exports on ${target.name}`, () => {
    let t: TestApp;
    let admin: string;
    let member: { id: string };
    before(async () => {
      t = await openTestApp(target);
      admin = await operatorToken(t);
      member = await register(t, "13811119999");
      await t.db.exec(`
        insert into members (id, phone, password_hash, invite_code, referrer_id, depth, created_at)
        select 500000 + g, '137' || lpad(g::text, 8, '0'), 'x', 'EXP' || g, null, 0, '2026-01-02T03:04:05Z'
        from generate_series(1, ${MEMBERS - 1}) g;
        insert into member_stars (member_id, star, business_day)
        select 500000 + g, '一星', '2026-01-03' from generate_series(1, 10) g;
        insert into products (id, name, price, plans, created_at, updated_at)
        values (900, '${PRODUCT_NAME.replace(/'/g, "''")}', 99, '{equity}', now(), now());
        insert into orders (member_id, product_id, quantity, plans, amount, points_paid, status, provider,
                            created_at, refund_reason)
        select 500000 + (g % 100) + 1, 900, 1, '{equity,cycle}', 99, 10, case when g % 2 = 0 then 'refunded' else 'paid' end,
               'manual', '2026-01-03T02:00:00Z', case when g % 2 = 0 then '=错发, 退回' else null end
        from generate_series(1, ${ORDERS}) g;
      `);
    });
    after(async () => {
      await t?.cleanup();
    });

    test("members: BOM, Chinese header, one row per member, filters as in the list", async () => {
      const r = await call(t, "GET", "/admin/exports/members.csv", { token: admin });
      assert.equal(r.statusCode, 200);
      assert.match(String(r.headers["content-type"]), /^text\/csv; charset=utf-8/);
      assert.match(String(r.headers["content-disposition"]), /attachment; filename=.*filename\*=UTF-8''/);
      assert.ok(r.rawPayload.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), "UTF-8 BOM");
      const rows = parseCsv(r.body.slice(1));
      assert.deepEqual(rows[0], [
        "会员ID",
        "手机号",
        "邀请码",
        "推荐人ID",
        "层级",
        "状态",
        "星级",
        "注册时间",
      ]);
      assert.equal(rows.length, 1 + MEMBERS);
      assert.equal(new Set(rows.slice(1).map((row) => row[0])).size, MEMBERS, "every member once");
      assert.deepEqual(rows[1]?.slice(0, 3), [String(500000 + MEMBERS - 1), "13700002999", "EXP2999"]);
      const mine = rows.find((row) => row[0] === member.id);
      assert.equal(mine?.[1], "13811119999", "admin reads whole numbers");
      assert.equal(rows.find((row) => row[0] === "500001")?.[7], "2026-01-02 11:04:05", "local time");
      const stars = await call(t, "GET", `/admin/exports/members.csv?star=${encodeURIComponent("一星")}`, {
        token: admin,
      });
      assert.equal(parseCsv(stars.body.slice(1)).length, 1 + 10);
    });

    test("orders: fields with commas, quotes and line breaks are quoted; formulas defused", async () => {
      const r = await call(t, "GET", "/admin/exports/orders.csv?status=refunded", { token: admin });
      assert.equal(r.statusCode, 200, r.body);
      assert.ok(r.body.startsWith(BOM));
      const rows = parseCsv(r.body.slice(1));
      assert.equal(rows.length, 1 + ORDERS / 2);
      const row = rows[1] as string[];
      assert.equal(row.length, rows[0]?.length);
      assert.equal(row[4], PRODUCT_NAME);
      assert.deepEqual(row.slice(6, 11), ["equity、cycle", "99.00", "89.00", "10.00", "已退款"]);
      assert.equal(row[17], "'=错发, 退回");
      const none = await call(t, "GET", "/admin/exports/orders.csv?from=2026-01-04", { token: admin });
      assert.equal(parseCsv(none.body.slice(1)).length, 1);
    });

    test("a member's history: every line with its cause in words", async () => {
      await credit(t, member.id, "points", "12.5");
      const finance = await operatorWithRole(t, "finance");
      const adjusted = await call(t, "POST", `/admin/members/${member.id}/adjustments`, {
        token: finance,
        body: { wallet: "points", amount: "-2.5", reason: '补差, "双倍"' },
      });
      assert.equal(adjusted.statusCode, 201, adjusted.body);
      const r = await call(t, "GET", `/admin/members/${member.id}/ledger.csv?asset=points`, {
        token: finance,
      });
      assert.equal(r.statusCode, 200, r.body);
      const rows = parseCsv(r.body.slice(1));
      assert.equal(rows.length, 3);
      assert.equal(rows[1]?.[6], "-2.5");
      assert.match(rows[1]?.[5] ?? "", /补差, "双倍"/);
      assert.equal(rows[2]?.[6], "12.5");
      const missing = await call(t, "GET", "/admin/members/999999999/ledger.csv?asset=points", {
        token: admin,
      });
      assert.equal(missing.data.code, "MEMBER_NOT_FOUND");
    });

    test("every export is audited with who exported what and with which filters; a refused one is not", async () => {
      const before = await t.db.query<{ n: string }>(
        "select count(*) as n from audit_log where action like 'export.%'",
      );
      const star = encodeURIComponent("一星");
      for (const url of [
        `/admin/exports/members.csv?star=${star}`,
        "/admin/exports/orders.csv?status=paid",
        `/admin/members/${member.id}/ledger.csv?asset=cny`,
      ]) {
        const r = await call(t, "GET", url, { token: admin });
        assert.equal(r.statusCode, 200, url);
      }
      const support = await operatorWithRole(t, "support");
      await call(t, "GET", "/admin/exports/members.csv", { token: support });
      const rows = await t.db.query<{
        action: string;
        target_id: string | null;
        detail: unknown;
        username: string;
      }>(
        `select a.action, a.target_id, a.detail, o.username from audit_log a join operators o on o.id = a.operator_id
          where a.action like 'export.%' order by a.id desc limit 3`,
      );
      const count = await t.db.query<{ n: string }>(
        "select count(*) as n from audit_log where action like 'export.%'",
      );
      assert.equal(Number(count.rows[0]?.n) - Number(before.rows[0]?.n), 3);
      assert.deepEqual(rows.rows.map((r) => [r.action, r.target_id, r.username]).reverse(), [
        ["export.members", null, "admin"],
        ["export.orders", null, "admin"],
        ["export.memberLedger", member.id, "admin"],
      ]);
      const detail = (rows.rows.at(-1)?.detail ?? {}) as { query?: Record<string, unknown> };
      assert.equal(detail.query?.star, "一星");
    });

    test("support may not export", async () => {
      const support = await operatorWithRole(t, "support");
      for (const url of [
        "/admin/exports/members.csv",
        "/admin/exports/orders.csv",
        `/admin/members/${member.id}/ledger.csv?asset=cny`,
      ]) {
        const r = await call(t, "GET", url, { token: support });
        assert.equal(r.statusCode, 403, url);
      }
    });

    test("the export reads one page at a time, only when the previous one was consumed", async () => {
      const limits: number[] = [];
      const spy: Queryable = {
        query: (sql, params) => {
          limits.push(Number(params?.[params.length - 1]));
          return t.db.query(sql, params);
        },
        exec: (sql) => t.db.exec(sql),
      };
      const csv = memberExport(
        spy,
        { id: "1", username: "admin", role: "admin" },
        {
          filters: {},
          timeZone: "Asia/Shanghai",
          pageSize: 500,
        },
      );
      const chunks = csvChunks(csv.header, csv.pages, csv.fields)[Symbol.asyncIterator]();
      const head = await chunks.next();
      assert.ok(String(head.value).startsWith(BOM));
      assert.equal(limits.length, 0, "no query before the first page is asked for");
      const page1 = await chunks.next();
      assert.equal(String(page1.value).split("\r\n").length - 1, 500);
      assert.equal(limits.length, 1, "one page read");
      let rows = 500;
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
        rows += String(next.value).split("\r\n").length - 1;
      }
      assert.equal(rows, MEMBERS);
      assert.deepEqual(limits, Array(Math.ceil(MEMBERS / 500) + (MEMBERS % 500 === 0 ? 1 : 0)).fill(500));
    });
  });
}

test("csvField quotes what it must and only that; csvText defuses formulas", () => {
  assert.equal(csvField("plain 中文"), "plain 中文");
  assert.equal(csvField('a,"b"'), '"a,""b"""');
  assert.equal(csvField("line\nbreak"), '"line\nbreak"');
  assert.equal(csvField(null), "");
  assert.equal(csvText("=SUM(A1)"), "'=SUM(A1)");
  assert.equal(csvText("-5"), "'-5");
  assert.equal(csvText("退款"), "退款");
});
