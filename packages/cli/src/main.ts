/**
 * The `jifen` command. `jifen replay <scenario.json>` prints the final state of
 * a scenario as JSON (replay.md); a refused event or config exits with status 1
 * and one line on stderr.
 */
import { readFileSync } from "node:fs";
import { ReplayError, replayText } from "@jifen/engine";

const USAGE = `usage: jifen replay <scenario.json>

  replay   run a scenario of events through the engine in memory and print the
           final state as JSON (see ../shared/spec/replay.md)`;

/** Runs the command line; returns the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command === "replay") return replay(rest);
  process.stderr.write(`unknown command ${JSON.stringify(command)} / 未知命令\n${USAGE}\n`);
  return 2;
}

function replay(args: readonly string[]): number {
  if (args.length !== 1 || args[0] === undefined) {
    process.stderr.write("usage: jifen replay <scenario.json>\n");
    return 2;
  }
  let source: string;
  try {
    source = readFileSync(args[0], "utf8");
  } catch (error) {
    process.stderr.write(`cannot read ${args[0]} / 无法读取文件: ${(error as Error).message}\n`);
    return 1;
  }
  try {
    process.stdout.write(replayText(source));
    return 0;
  } catch (error) {
    if (error instanceof ReplayError) {
      process.stderr.write(`${error.message.replace(/\s+/g, " ")}\n`);
      return 1;
    }
    throw error;
  }
}
