/**
 * `jifen simulate <plan.json>`: reads the plan and the parameter sets (a file
 * beside the plan, inline, or the one in force in the server's database),
 * runs @jifen/simulator and writes the daily series (CSV, JSON), the offline
 * HTML report and the summary into --out; --events writes the generated
 * events as a replay scenario.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseJsonLossless } from "@jifen/engine";
import {
  PlanError,
  parsePlanText,
  type SimulationPlan,
  simulate,
  toCsv,
  toHtml,
  toJson,
  toScenario,
} from "@jifen/simulator";
import { progressReporter } from "./progress.ts";

export interface SimulateArgs {
  readonly planPath: string;
  readonly out: string;
  readonly events: string | undefined;
  readonly compare: string | undefined;
  readonly seed: number | undefined;
}

function readText(path: string, field: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new PlanError(
      "PLAN_MISSING",
      field,
      `cannot read ${path} / 无法读取文件: ${(error as Error).message}`,
    );
  }
}

/** A parameter-set file, read with exact decimals. */
function readParams(path: string, field: string): unknown {
  try {
    return parseJsonLossless(readText(path, field));
  } catch (error) {
    if (error instanceof PlanError) throw error;
    throw new PlanError("PLAN_NOT_JSON", field, (error as Error).message);
  }
}

type Db = Awaited<ReturnType<typeof import("@jifen/server")["openDatabase"]>>;

/** The engine's part of the parameter set in force on a database's open business day (or `today`). */
export async function paramsInForce(db: Db, today: string): Promise<unknown> {
  const s = await import("@jifen/server");
  const day = (await s.openDay(db)) ?? today;
  const { withdrawal: _server, ...engine } = (await s.configForDay(db, day)).input;
  return engine;
}

/** The parameter set in force in the server's database (DATA_DIR / DATABASE_URL). */
async function databaseParams(): Promise<unknown> {
  const s = await import("@jifen/server");
  const settings = s.loadSettings();
  const db = await s.openDatabase({
    dataDir: settings.dataDir,
    ...(settings.databaseUrl ? { databaseUrl: settings.databaseUrl } : {}),
  });
  try {
    return await paramsInForce(db, s.businessDay(new Date(), settings.timeZone));
  } finally {
    await db.close();
  }
}

async function planParams(plan: SimulationPlan, planPath: string): Promise<unknown> {
  const source = plan.params;
  if (source.kind === "inline") return source.config;
  if (source.kind === "file") return readParams(resolve(dirname(planPath), source.path), "params");
  return databaseParams();
}

/** Runs the command; returns the exit status. */
export async function runSimulate(args: SimulateArgs): Promise<number> {
  try {
    const plan = parsePlanText(readText(args.planPath, "plan"));
    const params = await planParams(plan, args.planPath);
    const compare = args.compare === undefined ? undefined : readParams(args.compare, "--compare");
    const progress = progressReporter(process.stderr);
    const result = simulate({
      plan,
      params,
      ...(compare !== undefined ? { compare } : {}),
      ...(args.seed !== undefined ? { seed: args.seed } : {}),
      events: args.events !== undefined,
      onDay: (day, days) => progress.update("simulate", day, days),
    });
    progress.done();
    mkdirSync(args.out, { recursive: true });
    writeFileSync(join(args.out, "days.csv"), toCsv(result));
    writeFileSync(join(args.out, "days.json"), toJson(result));
    writeFileSync(join(args.out, "report.html"), toHtml(result));
    const summary = [
      ...result.primary.summary.lines,
      ...(result.compare ? ["", "--compare:", ...result.compare.summary.lines] : []),
    ];
    writeFileSync(join(args.out, "summary.txt"), `${summary.join("\n")}\n`);
    if (args.events !== undefined) writeFileSync(args.events, toScenario(result));
    process.stdout.write(
      `${summary.join("\n")}\n\nwritten to ${args.out}: days.csv days.json report.html summary.txt\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof PlanError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
