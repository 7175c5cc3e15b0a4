/**
 * CSV exports (issue 10): UTF-8 with a byte order mark so that Excel opens
 * Chinese text, RFC 4180 quoting (a field holding a comma, a quote or a line
 * break is quoted, quotes doubled), CRLF line ends, and text that Excel would
 * read as a formula (= + - @ at the start of free text) prefixed with '.
 *
 * Rows come from the database one keyset page at a time (`keysetPages`), and
 * the answer is a stream of those pages: however many rows, the server holds
 * one page of them.
 */

/** The UTF-8 byte order mark Excel needs to read the file as UTF-8. */
export const BOM = "\ufeff";

/** Rows read per query. */
export const EXPORT_PAGE_SIZE = 1000;

/** One field, quoted when it must be. */
export function csvField(value: string | number | null): string {
  const text = value === null ? "" : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Free text typed by a person (a reason, a name): never read by Excel as a formula. */
export function csvText(value: string | null): string | null {
  return value !== null && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** One CSV line, CRLF-terminated. */
export function csvLine(fields: readonly (string | number | null)[]): string {
  return `${fields.map(csvField).join(",")}\r\n`;
}

/**
 * Reads rows a page at a time: `page(cursor, limit)` answers up to `limit` rows
 * after `cursor` (null: from the start) in keyset order, and `cursorOf` names
 * the last row's key. Stops at a short page. Nothing is read before the
 * consumer asks for the next page, so a slow client slows the queries, and
 * memory holds one page.
 */
export async function* keysetPages<R>(
  page: (cursor: string | null, limit: number) => Promise<readonly R[]>,
  cursorOf: (row: R) => string,
  pageSize = EXPORT_PAGE_SIZE,
): AsyncGenerator<readonly R[]> {
  let cursor: string | null = null;
  for (;;) {
    const rows = await page(cursor, pageSize);
    if (rows.length > 0) yield rows;
    const last = rows[rows.length - 1];
    if (rows.length < pageSize || last === undefined) return;
    cursor = cursorOf(last);
  }
}

/** The CSV text: the BOM and header first, then one chunk per page of rows. */
export async function* csvChunks<R>(
  header: readonly string[],
  pages: AsyncIterable<readonly R[]>,
  fields: (row: R) => readonly (string | number | null)[],
): AsyncGenerator<string> {
  yield BOM + csvLine(header);
  for await (const rows of pages) {
    let chunk = "";
    for (const row of rows) chunk += csvLine(fields(row));
    yield chunk;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** An instant as local time in the business time zone, as Excel reads it: 2026-01-05 10:13:07. */
export function localTime(at: Date | null, timeZone: string): string {
  if (at === null) return "";
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("sv-SE", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timeZone, format);
  }
  return format.format(at);
}
