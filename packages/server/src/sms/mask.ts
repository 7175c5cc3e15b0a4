const PHONE_RE = /(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)/g;

/** A phone number with its middle four digits hidden: 138****5678. */
export function maskPhone(phone: string): string {
  return phone.replace(PHONE_RE, "$1****$2");
}

/** Any text with every mainland mobile number in it masked. */
export function maskPhonesIn(text: string): string {
  return text.replace(PHONE_RE, "$1****$2");
}
