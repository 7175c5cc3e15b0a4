/**
 * COPY text format (PostgreSQL `COPY … (FORMAT text)`): rows end with `\n`,
 * columns are separated by `\t`, NULL is `\N`. The settlement only moves ids,
 * account names, dates and integers through it, none of which contain a tab, a
 * newline or a backslash; `escapeCopy` guards the free-text columns anyway.
 */

/** The NULL marker of COPY text. */
export const COPY_NULL = "\\N";

/** Text safe inside one COPY text column (backslash, tab, newline, carriage return escaped). */
export function escapeCopy(value: string): string {
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r")
    : value;
}

function unescapeCopy(value: string): string {
  return value.replace(/\\(.)/g, (_, c: string) =>
    c === "t" ? "\t" : c === "n" ? "\n" : c === "r" ? "\r" : c,
  );
}

/**
 * Splits COPY text output into rows and calls `onRow` with each row's columns
 * (`null` for NULL). The array passed is reused between calls. Returns the row count.
 */
export async function readCopyRows(
  chunks: AsyncIterable<string>,
  onRow: (columns: (string | null)[]) => void,
): Promise<number> {
  let carry = "";
  let rows = 0;
  const columns: (string | null)[] = [];
  const emit = (line: string) => {
    columns.length = 0;
    let start = 0;
    for (;;) {
      const tab = line.indexOf("\t", start);
      const raw = tab < 0 ? line.slice(start) : line.slice(start, tab);
      columns.push(raw === COPY_NULL ? null : raw.includes("\\") ? unescapeCopy(raw) : raw);
      if (tab < 0) break;
      start = tab + 1;
    }
    rows++;
    onRow(columns);
  };
  for await (const chunk of chunks) {
    const text = carry.length > 0 ? carry + chunk : chunk;
    let start = 0;
    for (let end = text.indexOf("\n", start); end >= 0; end = text.indexOf("\n", start)) {
      emit(text.slice(start, end));
      start = end + 1;
    }
    carry = text.slice(start);
  }
  if (carry.length > 0) emit(carry);
  return rows;
}

/**
 * A string built by `+=` is a tree of its pieces (a rope: thousands of objects
 * per chunk, that the garbage collector walks again and again while chunks are
 * held). Converting it to a number makes V8 copy it into one flat string in
 * place (the "flatstr" trick); the pieces become short-lived garbage.
 */
function flatten(text: string): string {
  Number(text);
  return text;
}

/**
 * Collects COPY text rows into chunks of about `chunkChars` characters, so a
 * producer can hand millions of rows to `copyFrom` without one giant string.
 */
export class CopyChunker {
  private current = "";
  private readonly done: string[] = [];
  rows = 0;
  constructor(private readonly chunkChars = 256 * 1024) {}

  /** Appends one row (its columns already joined by tabs, without the newline). */
  push(row: string): void {
    this.current += `${row}\n`;
    this.rows++;
    if (this.current.length >= this.chunkChars) {
      this.done.push(flatten(this.current));
      this.current = "";
    }
  }

  /** Takes the chunks completed so far (for streaming while producing). */
  drain(): string[] {
    const out = this.done.splice(0, this.done.length);
    return out;
  }

  /** Takes every chunk, the partial last one included. */
  finish(): string[] {
    if (this.current.length > 0) {
      this.done.push(flatten(this.current));
      this.current = "";
    }
    return this.drain();
  }
}
