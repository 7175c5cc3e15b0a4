/**
 * Runs the settlement (or a dry run) and polls its progress meanwhile
 * (GET /admin/settlements/progress) until the run's own answer arrives.
 */
import type { Ok } from "@jifen/api-types";
import { useState } from "react";
import { ApiError, api, unwrap } from "../../api.ts";

export type Outcome = Ok<"runSettlement">["outcomes"][number];
type Progress = Ok<"getSettlementProgress">;

export interface SettleState {
  readonly dryRun: boolean;
  readonly percent: number;
  readonly progress: Progress | null;
}

export function useSettle(
  onDone: (outcomes: Outcome[], dryRun: boolean) => void,
  onError: (error: ApiError) => void,
) {
  const [running, setRunning] = useState<SettleState | null>(null);
  async function run(dryRun: boolean) {
    setRunning({ dryRun, percent: 0, progress: null });
    let finished = false;
    let best = 0;
    const poll = async () => {
      while (!finished) {
        try {
          const progress = await unwrap(api.GET("/admin/settlements/progress"));
          if (finished) return;
          best = Math.max(best, progress.percent);
          setRunning({ dryRun, percent: best, progress });
        } catch {
          // a failed poll is retried; the run's own answer decides
        }
        await new Promise((resolve) => setTimeout(resolve, 400));
      }
    };
    void poll();
    try {
      const answer = await unwrap(api.POST("/admin/settlements/run", { body: { dryRun } }));
      finished = true;
      setRunning({ dryRun, percent: 100, progress: null });
      await new Promise((resolve) => setTimeout(resolve, 300));
      onDone(answer.outcomes, dryRun);
    } catch (caught) {
      finished = true;
      if (caught instanceof ApiError) onError(caught);
      else throw caught;
    } finally {
      finished = true;
      setRunning(null);
    }
  }
  return { running, run };
}
