/**
 * Progress of a long run on stderr: a cli-progress bar per phase on a
 * terminal, plain log lines (one per finished phase) otherwise.
 */
import cliProgress from "cli-progress";

/** Receives `(phase, done, total)` updates; `done` stops the bar. */
export interface ProgressReporter {
  readonly update: (phase: string, done: number, total: number) => void;
  readonly done: () => void;
}

/** A reporter writing to `stream` (a bar when it is a TTY). */
export function progressReporter(stream: NodeJS.WriteStream): ProgressReporter {
  const started = performance.now();
  const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
  let phase = "";
  if (!stream.isTTY) {
    let logged = "";
    return {
      update(name, done, total) {
        if (total > 0 && done >= total && logged !== name) {
          logged = name;
          stream.write(`[${seconds()} s] ${name}: ${done.toLocaleString("en-US")}\n`);
        }
      },
      done() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: "{phase} |{bar}| {percentage}% {value}/{total} {elapsed}s",
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let active = false;
  return {
    update(name, done, total) {
      if (name !== phase) {
        if (active) bar.stop();
        phase = name;
        bar.start(Math.max(total, done, 1), done, { phase: name.padEnd(20), elapsed: seconds() });
        active = true;
        return;
      }
      if (total > 0) bar.setTotal(total);
      bar.update(done, { elapsed: seconds() });
    },
    done() {
      if (active) bar.stop();
      active = false;
    },
  };
}
