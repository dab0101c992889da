/**
 * Gemini's `serviceTier` (`flex`, `standard`, `priority`; also spelled `FLEX`, `SERVICE_TIER_FLEX`)
 * as a batch priority. Requests carry the tier as they are (validated as an enum by the wire
 * schema, forwarded upstream by the Gemini backend); a batch created without an explicit
 * `priority` takes the tier its requests share: priority → 1, standard → 0, flex → -1, so that
 * flex work waits behind standard work and priority work goes first. Requests that name no tier,
 * or different tiers, leave the batch at 0.
 */

export const SERVICE_TIER_PRIORITIES: Readonly<Record<string, number>> = { flex: -1, standard: 0, priority: 1 };

/** The tier's name (`flex`, `standard`, `priority`), or undefined for anything else. */
export function serviceTierOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const name = value.toLowerCase().replace(/^service_tier_/, '');
  return Object.hasOwn(SERVICE_TIER_PRIORITIES, name) ? name : undefined;
}

/** Collects the tiers of a batch's requests as they are planned. */
export class ServiceTierTally {
  private tier: string | undefined;
  private mixed = false;
  private requests = 0;

  add(value: unknown): void {
    const tier = serviceTierOf(value);
    if (this.requests++ === 0) this.tier = tier;
    else if (tier !== this.tier) this.mixed = true;
  }

  /** The batch priority the shared tier maps to; 0 when the requests name none or differ. */
  get priority(): number {
    return this.mixed || this.tier === undefined ? 0 : (SERVICE_TIER_PRIORITIES[this.tier] ?? 0);
  }
}
