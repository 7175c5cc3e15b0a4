/**
 * The exit mechanism (docs/rules.md §1.5) over the database: members holding
 * equity points with an exit quota wait in `exit_queue` keyed by their
 * threshold price quota / held (rounded down to 12 places, so the index range
 * never misses a member; each candidate is then checked exactly). A check reads
 * only the members whose threshold the price has reached. Who exits and when is
 * decided by the engine's `exitSteps` (packages/engine/src/steps.ts) through
 * the store (store.ts).
 */
import {
  ceilDiv,
  type EquityState,
  floorDiv,
  formatDecimal,
  memberAccount,
  parseDecimal,
} from "@jifen/engine";
import type { Tx } from "../db/index.ts";

const SCALE_12 = 10n ** 12n;

/** A ratio scaled by 10^12, rounded down or up (the queue's `threshold` and search bound). */
export function ratio12(num: bigint, den: bigint, up: boolean): bigint {
  return up ? ceilDiv(num * SCALE_12, den) : floorDiv(num * SCALE_12, den);
}

/** A ratio scaled by 10^12 as decimal text with 12 places. */
export function ratio12Text(scaled: bigint): string {
  const whole = scaled / SCALE_12;
  const frac = (scaled % SCALE_12).toString().padStart(12, "0");
  return `${whole}.${frac}`;
}

/** A ratio as a decimal string with 12 places, rounded down or up. */
function ratioText(num: bigint, den: bigint, up: boolean): string {
  return ratio12Text(ratio12(num, den, up));
}

/** Re-files members in the exit queue from their current equity and exit-quota balances. */
export async function refreshExitQueue(tx: Tx, memberIds: readonly string[]): Promise<void> {
  for (const id of new Set(memberIds)) {
    const rows = await tx.query<{ account: string; amount: string }>(
      "select account, amount from balances where account = any($1::text[])",
      [[memberAccount(id, "equity"), memberAccount(id, "exitQuota")]],
    );
    let held = 0n;
    let quota = 0n;
    for (const r of rows.rows) {
      if (r.account.endsWith(":equity")) held = parseDecimal(r.amount);
      else quota = parseDecimal(r.amount);
    }
    if (held > 0n && quota > 0n) {
      await tx.query(
        `insert into exit_queue (member_id, held, quota, threshold) values ($1::bigint, $2::numeric, $3::numeric, $4::numeric)
         on conflict (member_id) do update set held = excluded.held, quota = excluded.quota, threshold = excluded.threshold`,
        [id, formatDecimal(held), formatDecimal(quota), ratioText(quota, held, false)],
      );
    } else {
      await tx.query("delete from exit_queue where member_id = $1::bigint", [id]);
    }
  }
}

/** The exit queue's search bound for `state`: the price rounded up to 12 places (0 when no supply). */
export function exitQueueBound(state: EquityState): string {
  return state.supply === 0n ? "0" : ratioText(state.pool, state.supply, true);
}
