// Audience and growth (DESIGN §4): platform groups, the net-growth algebra the rollups rely on, and ratios.

export const PLATFORMS = ['facebook', 'instagram', 'telegram', 'newspaper'] as const;
export type Platform = (typeof PLATFORMS)[number];
export const SOCIAL_PLATFORMS: readonly Platform[] = ['facebook', 'instagram', 'telegram'];
export const PLATFORM_GROUPS = ['facebook', 'instagram', 'telegram', 'newspaper', 'social'] as const;
export type PlatformGroup = (typeof PLATFORM_GROUPS)[number];

/** Small integer codes used as the `grp` column of the rollup tables. */
export const GROUP_CODE: Record<PlatformGroup, number> = { facebook: 0, instagram: 1, telegram: 2, newspaper: 3, social: 4 };

export function isPlatformGroup(value: string): value is PlatformGroup {
  return (PLATFORM_GROUPS as readonly string[]).includes(value);
}

export function platformsOf(group: PlatformGroup): Platform[] {
  return group === 'social' ? [...SOCIAL_PLATFORMS] : [group];
}

/** The groups an account of a platform counts in: its own platform, and `social` unless it is a newspaper. */
export function groupsOfPlatform(platform: Platform): PlatformGroup[] {
  return platform === 'newspaper' ? ['newspaper'] : [platform, 'social'];
}

export interface GrowthFigures {
  net_growth: number | null;
  growth_percent: number | null;
  per_1000_members: number | null;
}

/**
 * Net growth, growth % and per 1,000 members from three numbers the rollups hold.
 *
 * §4 defines net growth account by account. Summing it out, with A(D) = audience(D) or 0 when undefined:
 *   Σ_{tracked on to} asOf(a,to) − Σ_{tracked on to and on from−1} asOf(a,from−1)
 *   − Σ_{tracked on to, not on from−1} first(a) − Σ_{tracked on from−1, closed by to} asOf(a,from−1)
 * = A(to) − A(from−1) − F, because an account tracked on from−1 is either tracked on `to` or closed by
 * then (closing is the only way to stop being tracked), and one tracked on `to` but not on from−1 has its
 * first snapshot in [from, to]. F = Σ first-snapshot audiences of accounts first seen in [from, to] and
 * still tracked on `to`. The property test checks this against the definition itself.
 */
export function growthFigures(
  audienceStart: number | null,
  audienceEnd: number | null,
  firstSeenSum: number,
  members: number | null,
): GrowthFigures {
  if (audienceStart === null && audienceEnd === null) {
    return { net_growth: null, growth_percent: null, per_1000_members: null };
  }
  const net = (audienceEnd ?? 0) - (audienceStart ?? 0) - firstSeenSum;
  return {
    net_growth: net,
    growth_percent: audienceStart === null || audienceStart === 0 ? null : (net / audienceStart) * 100,
    per_1000_members: members === null || members === undefined || members <= 0 ? null : (net / members) * 1000,
  };
}

/** Share of members reached: audience ÷ members (a ratio, not a percentage). */
export function reachShare(audience: number | null, members: number | null): number | null {
  if (audience === null || members === null || members <= 0) return null;
  return audience / members;
}

/** One account's history as the definitions see it: snapshots sorted by day, optional closing day. */
export interface AccountHistory {
  snapshots: ReadonlyArray<{ day: number; audience: number }>;
  closedDay: number | null;
}

/** asOf(a, D): audience of the latest snapshot dated ≤ D, or null. */
export function asOf(a: AccountHistory, day: number): number | null {
  let lo = 0;
  let hi = a.snapshots.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (a.snapshots[mid].day <= day) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found < 0 ? null : a.snapshots[found].audience;
}

export function isTracked(a: AccountHistory, day: number): boolean {
  return asOf(a, day) !== null && (a.closedDay === null || a.closedDay > day);
}

/** audience(O, P, D) over the accounts of O's subtree in P. */
export function audienceOn(accounts: readonly AccountHistory[], day: number): number | null {
  let sum: number | null = null;
  for (const a of accounts) {
    if (isTracked(a, day)) sum = (sum ?? 0) + (asOf(a, day) as number);
  }
  return sum;
}

/** F(from, to): first-snapshot audiences of accounts first seen in [from, to] and still tracked on `to`. */
export function firstSeenSum(accounts: readonly AccountHistory[], from: number, to: number): number {
  let sum = 0;
  for (const a of accounts) {
    const first = a.snapshots[0];
    if (first && first.day >= from && first.day <= to && (a.closedDay === null || a.closedDay > to)) sum += first.audience;
  }
  return sum;
}

/** Growth of a set of accounts over [from, to] (days), the same algebra the rollup queries use. */
export function growthOfAccounts(accounts: readonly AccountHistory[], from: number, to: number, members: number | null = null): GrowthFigures & {
  audience_start: number | null;
  audience_end: number | null;
} {
  const audienceStart = audienceOn(accounts, from - 1);
  const audienceEnd = audienceOn(accounts, to);
  return { audience_start: audienceStart, audience_end: audienceEnd, ...growthFigures(audienceStart, audienceEnd, firstSeenSum(accounts, from, to), members) };
}
