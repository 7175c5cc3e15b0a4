/**
 * The versions a registering member accepted, checked against the ones in
 * force: a member who read a version since replaced is asked to read the new
 * one (AGREEMENT_OUTDATED) and nothing is created.
 */
import type { Queryable } from "../db/index.ts";
import { fail } from "../errors/index.ts";
import { count } from "../http/schemas.ts";
import { AGREEMENT_KINDS, type AgreementKind, currentAgreement } from "./store.ts";

/** The accepted versions as numbers, each the version in force, or AGREEMENT_OUTDATED naming the first that is not. */
export async function acceptedVersions(
  q: Queryable,
  texts: Readonly<Record<AgreementKind, string>>,
): Promise<Record<AgreementKind, number>> {
  const versions = { terms: 0, privacy: 0 };
  for (const kind of AGREEMENT_KINDS) {
    const field = `agreements.${kind}`;
    const version = count(texts[kind], 1_000_000, field);
    if ((await currentAgreement(q, kind)).version !== version) fail("AGREEMENT_OUTDATED", { field });
    versions[kind] = version;
  }
  return versions;
}
