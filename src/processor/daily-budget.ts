import { DailyBudgetExhausted } from './errors.js';

/**
 * The account's daily budget is shared by every app (contract §1.1), so only the server knows what is
 * left: X-HubSpot-RateLimit-Daily-Remaining. Between headers (and on OAuth, which sends none) our own
 * sends are counted down from the last known value. The run stops before it would dip into the share
 * reserved for other apps (HUBSPOT_DAILY_RESERVE), leaving a resumable state instead of a DAILY 429.
 */
export class DailyBudget {
  private dailyLimit: number;
  private remainingAtSync: number;
  private sentSinceSync = 0;

  constructor(
    dailyLimit: number,
    private readonly reserveFraction: number,
  ) {
    this.dailyLimit = dailyLimit;
    this.remainingAtSync = dailyLimit;
  }

  /** Requests of the daily limit that must be left untouched for other apps. */
  floor(): number {
    return Math.ceil(this.dailyLimit * this.reserveFraction);
  }

  /** Best estimate of what the account has left today. */
  remaining(): number {
    return this.remainingAtSync - this.sentSinceSync;
  }

  /** Throws DailyBudgetExhausted when one more request would eat into the reserved share. */
  checkBeforeSend(): void {
    if (this.remaining() - 1 < this.floor()) {
      throw new DailyBudgetExhausted(
        `Stopping before HubSpot's daily API limit: about ${Math.max(0, this.remaining())} of ${this.dailyLimit} requests remain today and ${this.floor()} are reserved for other apps (HUBSPOT_DAILY_RESERVE). The run can be resumed after the daily reset.`,
        this.dailyLimit,
        this.remaining(),
      );
    }
  }

  onSend(): void {
    this.sentSinceSync++;
  }

  /** Applies a response's Daily / Daily-Remaining headers. Returns true when they changed our view. */
  sync(daily: number | undefined, dailyRemaining: number | undefined): boolean {
    let changed = false;
    if (daily !== undefined && daily > 0 && daily !== this.dailyLimit) {
      this.dailyLimit = daily;
      changed = true;
    }
    if (dailyRemaining !== undefined && dailyRemaining >= 0) {
      // The server's word wins, also upwards (the budget resets at the account's midnight).
      changed ||= dailyRemaining !== this.remaining();
      this.remainingAtSync = dailyRemaining;
      this.sentSinceSync = 0;
    }
    return changed;
  }
}
