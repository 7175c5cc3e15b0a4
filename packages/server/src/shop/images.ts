/**
 * Product images uploaded by operators (docs/decisions.md, "Product images"):
 * PNG, JPEG or WebP recognised by their first bytes (never by a name or a
 * declared type), at most 2 MiB, stored in the database with the rest of the
 * shop's data (table `product_images`, so a database backup holds them) and
 * addressed by the SHA-256 of their bytes: the same file uploaded twice is one
 * row, and a URL never changes meaning, so it is served as immutable.
 */
import { createHash } from "node:crypto";
import type { Queryable, Tx } from "../db/index.ts";
import { fail } from "../errors/index.ts";

/** The largest image accepted, in bytes (2 MiB). */
export const MAX_IMAGE_BYTES = 2 * 1024 * 1024;

export type ImageType = "image/png" | "image/jpeg" | "image/webp";

/** The image's type from its magic bytes, or null when it is none of PNG, JPEG, WebP. */
export function detectImageType(bytes: Uint8Array): ImageType | null {
  const starts = (sig: readonly number[], at = 0) => sig.every((b, i) => bytes[at + i] === b);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (starts([0xff, 0xd8, 0xff])) return "image/jpeg";
  // RIFF <size> WEBP
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return "image/webp";
  return null;
}

/** Decodes base64 (standard or URL-safe, a data: URL prefix allowed); IMAGE_INVALID when it is not base64. */
export function decodeImageData(data: string): Buffer {
  const text = data.replace(/^data:[a-z/+.-]*;base64,/i, "").replace(/\s+/g, "");
  if (text === "" || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) fail("IMAGE_INVALID", { field: "data" });
  return Buffer.from(text, "base64");
}

/** A stored image without its bytes. */
export interface StoredImage {
  readonly id: string;
  readonly contentType: ImageType;
  readonly size: number;
}

/** Checks and stores an image (once per content); refuses IMAGE_TOO_LARGE, IMAGE_TYPE_UNSUPPORTED. */
export async function storeImage(tx: Tx, bytes: Buffer, now: Date): Promise<StoredImage> {
  if (bytes.length > MAX_IMAGE_BYTES) {
    fail("IMAGE_TOO_LARGE", {
      field: "data",
      detail: { zh: `${bytes.length} 字节`, en: `${bytes.length} bytes` },
    });
  }
  const contentType = detectImageType(bytes);
  if (contentType === null) fail("IMAGE_TYPE_UNSUPPORTED", { field: "data" });
  const id = createHash("sha256").update(bytes).digest("hex");
  await tx.query(
    `insert into product_images (id, content_type, size, bytes, created_at)
     values ($1, $2, $3, $4, $5::timestamptz) on conflict (id) do nothing`,
    [id, contentType, bytes.length, bytes, now.toISOString()],
  );
  return { id, contentType, size: bytes.length };
}

/** An image with its bytes, or null. */
export async function findImage(q: Queryable, id: string): Promise<(StoredImage & { bytes: Buffer }) | null> {
  const rows = await q.query<{ content_type: ImageType; size: number; bytes: Uint8Array }>(
    "select content_type, size, bytes from product_images where id = $1",
    [id],
  );
  const row = rows.rows[0];
  if (!row) return null;
  return { id, contentType: row.content_type, size: Number(row.size), bytes: Buffer.from(row.bytes) };
}

/** Whether an image with this id is stored (a product may only name a stored image). */
export async function imageExists(q: Queryable, id: string): Promise<boolean> {
  const rows = await q.query("select 1 from product_images where id = $1", [id]);
  return rows.rows.length > 0;
}

/** The URL an image is served at (hashed: its content never changes). */
export function imageUrl(id: string): string {
  return `/products/images/${id}`;
}
