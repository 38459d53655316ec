/**
 * Pay-per-use billing: a prepaid credit balance counted in posts, and the same-UTC-day rule (a post
 * read again within the same UTC day is not billed again, project-wide). Beyond the balance, the
 * post-reading endpoints answer 402 CreditsDepleted.
 */

/** Billing of post reads: what is free (read today already) and what the credits still cover. */
export class Billing {
  /** Posts the credits still pay for; undefined = unlimited (no pay-per-use balance). */
  balance: number | undefined;
  private day = '';
  private readToday = new Set<number>();

  constructor(private readonly startBalance: number | undefined) {
    this.balance = startBalance;
  }

  /** True when a balance is set and spent: the request gets the 402. */
  depleted(): boolean {
    return this.balance !== undefined && this.balance <= 0;
  }

  /**
   * Bills the posts (corpus indexes) of one answer at `now`: those not read yet this UTC day.
   * Returns how many were billed; the balance goes down by that (never below 0).
   */
  bill(items: readonly number[], now: number): number {
    const day = new Date(now).toISOString().slice(0, 10);
    if (day !== this.day) {
      this.day = day;
      this.readToday = new Set();
    }
    let billed = 0;
    for (const i of items) {
      if (this.readToday.has(i)) continue;
      this.readToday.add(i);
      billed++;
    }
    if (this.balance !== undefined) this.balance = Math.max(0, this.balance - billed);
    return billed;
  }

  /** Sets the balance (undefined = unlimited) or adds to it. */
  setBalance(update: { readonly balance?: number | null; readonly add?: number }): void {
    if (update.balance !== undefined) this.balance = update.balance ?? undefined;
    if (update.add !== undefined) this.balance = (this.balance ?? 0) + update.add;
  }

  /** Back to the balance given at start; forgets today's reads. */
  reset(): void {
    this.balance = this.startBalance;
    this.day = '';
    this.readToday = new Set();
  }
}
