/**
 * Time limits for tests against a fake payment provider that can hold a request unanswered.
 * Ordinary calls get a limit a loaded machine meets; a call the fake holds is never answered,
 * so its short limit always runs out, however slow the machine (then the provider's timeout).
 */

/** The provider's time limit for calls the fake answers (the app's own is 10 s). */
export const ORDINARY_TIMEOUT_MS = 10_000;
/** The time limit of a call the fake holds unanswered: the timeout cases wait this long. */
export const HELD_TIMEOUT_MS = 300;

/** Whether the fake would hold this request now (`body`: the request's body when it is text, else ""). */
export type Holds = (url: string, body: string) => boolean;

/** A fetch that adds HELD_TIMEOUT_MS to the requests `holds` picks and leaves the others alone. */
export function heldFetch(holds: Holds): typeof fetch {
  return (input, init) =>
    holds(String(input), typeof init?.body === "string" ? init.body : "")
      ? fetch(input, {
          ...init,
          signal: AbortSignal.any([
            ...(init?.signal ? [init.signal] : []),
            AbortSignal.timeout(HELD_TIMEOUT_MS),
          ]),
        })
      : fetch(input, init);
}
