import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { API_PREFIXES, API_PROXY_PATTERN } from "../api-prefixes.ts";

const schema = readFileSync(new URL("../../../packages/api-types/src/schema.d.ts", import.meta.url), "utf8");

test("the h5 dev proxy forwards every non-admin API prefix", () => {
  const prefixes = new Set<string>();
  for (const m of schema.matchAll(/^ {4}"\/([a-z-]+)[^"]*": \{/gm)) prefixes.add(m[1] as string);
  prefixes.delete("admin");
  assert.ok(prefixes.has("checkouts") && prefixes.has("me"));
  assert.deepEqual([...prefixes].sort(), [...API_PREFIXES].sort());
});

test("the proxy pattern matches API paths but not the site's own pages", () => {
  const re = new RegExp(API_PROXY_PATTERN);
  for (const p of ["/checkouts/preview", "/shop", "/me/team", "/products?page=1", "/me"])
    assert.ok(re.test(p), p);
  for (const p of ["/h5/shop", "/h5/me", "/mexico", "/shopping"]) assert.ok(!re.test(p), p);
});
