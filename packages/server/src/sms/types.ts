/** One text message to a mainland mobile number. */
export interface SmsMessage {
  readonly phone: string;
  /** What the message is for; each provider maps it to its own template. */
  readonly template: "verification";
  /** Template parameters in template order, e.g. { code: "123456", minutes: "5" }. */
  readonly params: Readonly<Record<string, string>>;
  /** The full text, as the console provider shows it. */
  readonly content: string;
}

/** What a provider answers for an accepted message. */
export interface SmsReceipt {
  /** The provider's id of the message (BizId, SerialNo…), when it gives one. */
  readonly providerRef: string | null;
}

/** A text-message gateway. `send` resolves when the provider accepted the message. */
export interface SmsProvider {
  readonly name: string;
  /** True when the outbox may keep the full text (the console provider: a development aid). */
  readonly keepsContent: boolean;
  send(message: SmsMessage): Promise<SmsReceipt>;
}

/** The provider refused the message or could not be reached. */
export class SmsSendError extends Error {
  constructor(
    readonly provider: string,
    readonly providerCode: string,
    message: string,
  ) {
    super(`${provider}: ${providerCode}: ${message}`);
    this.name = "SmsSendError";
  }
}
