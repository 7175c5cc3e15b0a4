/** The member terms and the privacy policy: versions, consents, routes. */
export { acceptedVersions } from "./consent.ts";
export { AgreementVersions, agreementOperatorRoutes, agreementRoutes } from "./routes.ts";
export { memberConsents, recordConsents } from "./store.ts";
