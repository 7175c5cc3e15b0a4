/**
 * CSV downloads with the operator's token: the export is fetched through the
 * typed client (Authorization header, like every call), held as a Blob and
 * saved under the name the server gives in Content-Disposition. The server
 * streams the file a page of rows at a time, so its memory stays flat; the
 * browser holds the finished file (≈100 bytes a row) until it is saved.
 * (A signed link would let the browser stream to disk, but would put a
 * credential in a URL, where logs and history keep it.)
 */

/** The file name of a Content-Disposition header (RFC 5987 `filename*` first). */
export function fileNameOf(disposition: string | null, fallback: string): string {
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition ?? "")?.[1];
  if (star) return decodeURIComponent(star);
  return /filename="([^"]+)"/i.exec(disposition ?? "")?.[1] ?? fallback;
}

/** Saves `blob` as `name` through a temporary link. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.style.display = "none";
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
