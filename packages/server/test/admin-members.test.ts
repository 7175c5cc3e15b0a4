/**
 * The operators' member directory (issue 10): the members list's filters, phone
 * masking by role in the server's answers, the referral tree one level at a
 * time on a 10,000-deep chain and under a member with 50,000 direct referrals,
 * the member's audit entries and the dry run of an adjustment.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { REFERRALS_SQL } from "../src/members/directory.ts";
import {
  call,
  count,
  credit,
  openTestApp,
  operatorToken,
  operatorWithRole,
  register,
  type TestApp,
} from "./support/app.ts";
import { dbTargets } from "./support/db.ts";
import { equityProduct, paidOrder, type TestMember } from "./support/equity.ts";

const CHAIN_BASE = 1_000_000; // ids 1_000_001 … 1_010_000: each referred by the one before
const FAN_ROOT = 3_000_000; // id 3_000_000 referred 3_000_001 … 3_050_000

/** The shapes, written set-based: a 10,000-deep chain and a member with 50,000 direct referrals. */
async function buildShapes(t: TestApp): Promise<void> {
  await t.db.exec(`
    insert into members (id, phone, password_hash, invite_code, referrer_id, depth, created_at)
    select ${CHAIN_BASE} + g, '199' || lpad(g::text, 8, '0'), 'x', 'CHAIN' || g,
           case when g = 1 then null else ${CHAIN_BASE} + g - 1 end, g - 1, '2026-01-01T00:00:00Z'
    from generate_series(1, 10000) g;
    insert into members (id, phone, password_hash, invite_code, referrer_id, depth, created_at)
    values (${FAN_ROOT}, '19700000000', 'x', 'FANROOT', null, 0, '2026-01-01T00:00:00Z');
    insert into members (id, phone, password_hash, invite_code, referrer_id, depth, created_at)
    select ${FAN_ROOT} + g, '198' || lpad(g::text, 8, '0'), 'x', 'FAN' || g, ${FAN_ROOT}, 1, '2026-01-01T00:00:00Z'
    from generate_series(1, 50000) g;
    analyze members;
  `);
}

for (const target of dbTargets()) {
  describe(`admin member directory on ${target.name}`, () => {
    let t: TestApp;
    let admin: string;
    let support: string;
    let finance: string;
    const m: Record<string, { id: string; inviteCode: string; token: string }> = {};
    before(async () => {
      t = await openTestApp(target);
      m.a = await register(t, "13811110001"); // 2026-01-05 (Shanghai)
      m.b = await register(t, "13811110002", m.a.inviteCode);
      t.clock.advance(2 * 86_400_000);
      m.c = await register(t, "13922220003", m.a.inviteCode); // 2026-01-07
      m.d = await register(t, "13922220004", m.c.inviteCode);
      await t.db.query(
        "insert into member_stars (member_id, star, business_day) values ($1, '一星', '2026-01-06')",
        [m.c.id],
      );
      admin = await operatorToken(t);
      support = await operatorWithRole(t, "support");
      finance = await operatorWithRole(t, "finance");
    });
    after(async () => {
      await t?.cleanup();
    });

    const ids = (response: { data: { items: { id: string }[] } }) => response.data.items.map((x) => x.id);

    test("the members list filters by phone prefix or number, invite code, star level and join date", async () => {
      const q = async (query: string) => {
        const r = await call(t, "GET", `/admin/members?${query}`, { token: admin });
        assert.equal(r.statusCode, 200, r.body);
        return ids(r);
      };
      assert.deepEqual(await q("phone=1381111"), [m.b?.id, m.a?.id]);
      assert.deepEqual(await q("phone=13922220004"), [m.d?.id]);
      assert.deepEqual(await q(`inviteCode=${m.c?.inviteCode.toLowerCase()}`), [m.c?.id]);
      assert.deepEqual(await q(`star=${encodeURIComponent("一星")}`), [m.c?.id]);
      assert.deepEqual(await q("star=none&phone=139"), [m.d?.id]);
      assert.deepEqual(await q("joinedFrom=2026-01-06"), [m.d?.id, m.c?.id]);
      assert.deepEqual(await q("joinedTo=2026-01-05"), [m.b?.id, m.a?.id]);
      assert.deepEqual(await q("joinedFrom=2026-01-06&joinedTo=2026-01-06"), []);
      const first = await call(t, "GET", "/admin/members?limit=3", { token: admin });
      assert.deepEqual(ids(first), [m.d?.id, m.c?.id, m.b?.id]);
      const second = await call(t, "GET", `/admin/members?limit=3&cursor=${first.data.nextCursor}`, {
        token: admin,
      });
      assert.deepEqual(ids(second), [m.a?.id]);
      assert.equal(second.data.nextCursor, null);
      const bad = await call(t, "GET", "/admin/members?joinedFrom=2026-02-30", { token: admin });
      assert.equal(bad.data.code, "INVALID_DATE");
      const badCode = await call(t, "GET", "/admin/members?inviteCode=a%2Cb", { token: admin });
      assert.equal(badCode.statusCode, 400);
    });

    test("each listed member shows how many members they referred and what their paid, unrefunded orders cost", async () => {
      const product = await equityProduct(t, "199.5");
      await paidOrder(t, m.c as TestMember, product, admin);
      await paidOrder(t, m.c as TestMember, product, admin);
      const refunded = await paidOrder(t, m.c as TestMember, product, admin);
      const refund = await call(t, "POST", `/admin/orders/${refunded}/refund`, {
        token: admin,
        body: { reason: "买家七天无理由退货" },
      });
      assert.equal(refund.statusCode, 200, refund.body);
      await call(t, "POST", "/orders", { token: m.c?.token, body: { productId: product } }); // unpaid
      const listed = await call(t, "GET", "/admin/members", { token: support });
      const byId = new Map(
        listed.data.items.map((x: { id: string; referrals: number; spent: string }) => [x.id, x]),
      );
      const figures = (id: string | undefined) => {
        const x = byId.get(id) as { referrals: number; spent: string };
        return [x.referrals, x.spent];
      };
      assert.deepEqual(figures(m.a?.id), [2, "0.00"]);
      assert.deepEqual(
        figures(m.c?.id),
        [1, "399.00"],
        "two paid orders; the refunded and the unpaid one not",
      );
      assert.deepEqual(figures(m.d?.id), [0, "0.00"]);
    });

    test("admin and finance read whole phone numbers; support reads them masked in every answer", async () => {
      for (const token of [admin, finance]) {
        const list = await call(t, "GET", "/admin/members?phone=13811110001", { token });
        assert.deepEqual([list.data.items[0].phone, list.data.items[0].phoneMasked], ["13811110001", false]);
      }
      const list = await call(t, "GET", "/admin/members?phone=13811110001", { token: support });
      assert.deepEqual([list.data.items[0].phone, list.data.items[0].phoneMasked], ["138****0001", true]);
      const detail = await call(t, "GET", `/admin/members/${m.a?.id}`, { token: support });
      assert.equal(detail.data.member.phone, "138****0001");
      const referrals = await call(t, "GET", `/admin/members/${m.a?.id}/referrals`, { token: support });
      assert.deepEqual(
        referrals.data.items.map((x: { phone: string }) => x.phone),
        ["139****0003", "138****0002"],
      );
      assert.doesNotMatch(
        JSON.stringify([list.data, detail.data, referrals.data]),
        /13811110001|13922220003/,
      );
      const adminDetail = await call(t, "GET", `/admin/members/${m.a?.id}`, { token: admin });
      assert.equal(adminDetail.data.member.phone, "13811110001");
    });

    test("the referral tree opens one level at a time, saying which members have referrals below", async () => {
      const top = await call(t, "GET", `/admin/members/${m.a?.id}/referrals`, { token: admin });
      assert.equal(top.statusCode, 200, top.body);
      assert.equal(top.data.total, 2);
      assert.deepEqual(
        top.data.items.map((x: { id: string; hasReferrals: boolean }) => [x.id, x.hasReferrals]),
        [
          [m.c?.id, true],
          [m.b?.id, false],
        ],
      );
      const next = await call(t, "GET", `/admin/members/${m.c?.id}/referrals`, { token: admin });
      assert.deepEqual(ids(next), [m.d?.id]);
      const missing = await call(t, "GET", "/admin/members/999999999/referrals", { token: admin });
      assert.equal(missing.data.code, "MEMBER_NOT_FOUND");
    });

    test("an adjustment's preview shows the balance after and writes nothing; the adjustment then matches it", async () => {
      await credit(t, m.b?.id as string, "points", "20.5");
      const transactions = await count(t, "ledger_transactions");
      const audits = await count(t, "audit_log");
      const body = { wallet: "points", amount: "100.25", reason: "活动补发" };
      const preview = await call(t, "POST", `/admin/members/${m.b?.id}/adjustments/preview`, {
        token: finance,
        body,
      });
      assert.equal(preview.statusCode, 200, preview.body);
      assert.deepEqual(preview.data, {
        wallet: "points",
        amount: "100.25",
        balanceBefore: "20.5",
        balanceAfter: "120.75",
        debtBefore: "0",
        debtAfter: "0",
      });
      assert.equal(await count(t, "ledger_transactions"), transactions);
      assert.equal(await count(t, "audit_log"), audits);
      const below = await call(t, "POST", `/admin/members/${m.b?.id}/adjustments/preview`, {
        token: finance,
        body: { ...body, amount: "-20.6" },
      });
      assert.equal(below.data.code, "ADJUST_BELOW_ZERO");
      const refused = await call(t, "POST", `/admin/members/${m.b?.id}/adjustments/preview`, {
        token: support,
        body,
      });
      assert.equal(refused.statusCode, 403);
      const done = await call(t, "POST", `/admin/members/${m.b?.id}/adjustments`, { token: finance, body });
      assert.equal(done.data.balance, preview.data.balanceAfter);
      const audit = await call(t, "GET", `/admin/members/${m.b?.id}/audit-log`, { token: support });
      assert.equal(audit.data.items[0].action, "member.adjust");
      assert.match(audit.data.items[0].operatorName, /^finance-/);
      assert.equal(audit.data.items[0].detail.reason, "活动补发");
    });

    test("the tree stays paged and on its index on a 10,000-deep chain and under 50,000 direct referrals", async () => {
      await buildShapes(t);
      // The chain: every level answers one member; the deepest has none below.
      let id = String(CHAIN_BASE + 1);
      for (let level = 0; level < 3; level++) {
        const r = await call(t, "GET", `/admin/members/${id}/referrals`, { token: support });
        assert.equal(r.data.items.length, 1);
        assert.equal(r.data.items[0].hasReferrals, true);
        assert.equal(r.data.items[0].depth, level + 1);
        id = r.data.items[0].id;
      }
      const deep = await call(t, "GET", `/admin/members/${CHAIN_BASE + 9999}/referrals`, { token: support });
      assert.deepEqual(
        deep.data.items.map((x: { id: string; depth: number; hasReferrals: boolean }) => [
          x.id,
          x.depth,
          x.hasReferrals,
        ]),
        [[String(CHAIN_BASE + 10000), 9999, false]],
      );
      const chainTop = await call(t, "GET", `/admin/members/${CHAIN_BASE + 1}`, { token: admin });
      assert.equal(chainTop.data.team.downlineSize, 9999);

      // The fan: 100 a page, newest first, the total on the first page only, "load more" to the end.
      const first = await call(t, "GET", `/admin/members/${FAN_ROOT}/referrals?limit=100`, { token: admin });
      assert.equal(first.data.total, 50000);
      assert.equal(first.data.items.length, 100);
      assert.equal(first.data.items[0].id, String(FAN_ROOT + 50000));
      assert.equal(first.data.nextCursor, String(FAN_ROOT + 49901));
      const second = await call(
        t,
        "GET",
        `/admin/members/${FAN_ROOT}/referrals?limit=100&cursor=${first.data.nextCursor}`,
        { token: admin },
      );
      assert.equal(second.data.total, null);
      assert.equal(second.data.items[0].id, String(FAN_ROOT + 49900));
      const last = await call(
        t,
        "GET",
        `/admin/members/${FAN_ROOT}/referrals?limit=100&cursor=${FAN_ROOT + 51}`,
        {
          token: admin,
        },
      );
      assert.equal(last.data.items.length, 50);
      assert.equal(last.data.nextCursor, null);

      // The page's query never reads the whole members table: the page comes from an index
      // (members_referrer_idx for a member with few referrals; for the fan, where most members are
      // its referrals, the planner may walk the primary key backwards), and "has referrals" is one
      // probe of members_referrer_idx per row.
      const plans: string[] = [];
      for (const parent of [FAN_ROOT, CHAIN_BASE + 5000]) {
        const plan = await t.db.query<Record<string, unknown>>(`explain (format json) ${REFERRALS_SQL}`, [
          String(parent),
          null,
          101,
        ]);
        plans.push(JSON.stringify(plan.rows));
      }
      for (const text of plans) {
        assert.doesNotMatch(text, /"Seq Scan"/);
        assert.match(text, /"Index Name":"members_referrer_idx","Relation Name":"members","Alias":"c"/);
      }
      assert.match(
        plans[1] ?? "",
        /"Index Name":"members_referrer_idx","Relation Name":"members","Alias":"m"/,
      );
    });
  });
}
