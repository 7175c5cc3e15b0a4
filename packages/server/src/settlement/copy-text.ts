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
 * Reads COPY text whose columns are all integers or NULL (ids, micro-unit
 * amounts cast to bigint) straight from the character codes, without a string
 * per row or column: `onRow` gets the row's values (NaN for NULL) in an array
 * reused between calls. A value past 2^53 throws (bigint amounts that large
 * are refused rather than rounded). Returns the row count.
 */
export async function readIntegerRows(
  chunks: AsyncIterable<string>,
  columnCount: number,
  onRow: (values: Float64Array) => void,
): Promise<number> {
  const values = new Float64Array(columnCount);
  let column = 0;
  let value = 0;
  let negative = false;
  let isNull = false;
  let escaped = false;
  let rows = 0;
  let inRow = false;
  const end = () => {
    if (column >= columnCount) throw new Error(`COPY row ${rows + 1}: more than ${columnCount} columns`);
    if (!Number.isSafeInteger(value)) throw new Error(`COPY row ${rows + 1}: integer beyond 2^53`);
    values[column++] = isNull ? Number.NaN : negative ? -value : value;
    value = 0;
    negative = false;
    isNull = false;
  };
  for await (const chunk of chunks) {
    if (chunk.length > 0) inRow = true;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c >= 48 && c <= 57) value = value * 10 + (c - 48);
      else if (c === 9) end();
      else if (c === 10) {
        end();
        if (column !== columnCount)
          throw new Error(`COPY row ${rows + 1}: ${column} of ${columnCount} columns`);
        rows++;
        onRow(values);
        column = 0;
        inRow = i + 1 < chunk.length;
      } else if (c === 45) negative = true;
      else if (c === 92) escaped = true;
      else if (c === 78 && escaped) {
        isNull = true;
        escaped = false;
      } else throw new Error(`COPY row ${rows + 1}: not an integer column (${JSON.stringify(chunk[i])})`);
    }
  }
  if (inRow) throw new Error(`COPY output ends inside row ${rows + 1}`);
  return rows;
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
 * Collects COPY text rows into chunks of about `chunkChars` characters, so a
 * producer can hand millions of rows to `copyFrom` without one giant string.
 */
export class CopyChunker {
  // The rows of the chunk being filled, joined once when it is full: one flat string (a
  // string grown by `+=` is a rope of thousands of pieces that the garbage collector walks
  // again and again while chunks are held, and that must be flattened before it is sent).
  private parts: string[] = [];
  private size = 0;
  private readonly done: string[] = [];
  rows = 0;
  constructor(private readonly chunkChars = 256 * 1024) {}

  /** Appends one row (its columns already joined by tabs, without the newline). */
  push(row: string): void {
    this.parts.push(row);
    this.size += row.length + 1;
    this.rows++;
    if (this.size >= this.chunkChars) this.close();
  }

  private close(): void {
    this.parts.push("");
    this.done.push(this.parts.join("\n"));
    this.parts = [];
    this.size = 0;
  }

  /** Takes the chunks completed so far (for streaming while producing). */
  drain(): string[] {
    return this.done.splice(0, this.done.length);
  }

  /** Takes every chunk, the partial last one included. */
  finish(): string[] {
    if (this.parts.length > 0) this.close();
    return this.drain();
  }
}
