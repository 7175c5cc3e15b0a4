import type { useI18n } from "../../i18n/index.tsx";

/** Who ran a settlement: the console's operator, the command line, or the scheduler on a host. */
export function ownerText(t: ReturnType<typeof useI18n>["t"], owner: string | null): string {
  if (!owner) return "—";
  if (owner.startsWith("api:")) return t("settle.ownerApi", { name: owner.slice(4) });
  if (owner.startsWith("cli:")) return t("settle.ownerCli");
  return t("settle.ownerScheduler", { host: owner });
}
