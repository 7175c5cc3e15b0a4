/** The member terms and the privacy policy: versions, consents, routes. */
export { acceptedVersions } from "./consent.ts";
export {
  AgreementVersions,
  agreementOperatorRoutes,
  agreementRoutes,
  ConsentsSchema,
  consentsView,
} from "./routes.ts";
export { recordConsents } from "./store.ts";
