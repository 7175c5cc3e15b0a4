import type { SmsProvider, SmsReceipt } from "./types.ts";

/** The development provider: sends nothing; the message stays in the outbox for the admin API. */
export function consoleSmsProvider(): SmsProvider {
  return {
    name: "console",
    keepsContent: true,
    async send(): Promise<SmsReceipt> {
      return { providerRef: null };
    },
  };
}
