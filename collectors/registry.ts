// The explicit list of collectors, one per platform; registering a platform twice is refused.
import { FacebookCollector } from './facebook';
import { GraphTransport } from './graph';
import { InstagramCollector } from './instagram';
import { TelegramCollector } from './telegram';
import type { CollectedPlatform, Collector, CollectSettings } from './types';

export const DEFAULT_COLLECT_SETTINGS: CollectSettings = {
  graphUrl: 'https://graph.facebook.com',
  instagramGraphUrl: 'https://graph.instagram.com',
  telegramApiRoot: 'https://api.telegram.org',
  concurrency: 4,
  batchSize: 50,
  telegramRatePerSecond: 20,
  telegramConcurrency: 8,
  timeoutMs: 20_000,
  maxRetries: 4,
  retryBaseMs: 1_000,
  retryMaxMs: 60_000,
  usageMaxSpacingMs: 2_000,
  rateLimitPauseMs: 10_000,
};

export class CollectorRegistry {
  private readonly collectors = new Map<CollectedPlatform, Collector>();

  register(collector: Collector): this {
    if (this.collectors.has(collector.platform)) throw new Error(`a collector for ${collector.platform} is already registered`);
    this.collectors.set(collector.platform, collector);
    return this;
  }

  get(platform: CollectedPlatform): Collector | undefined {
    return this.collectors.get(platform);
  }

  platforms(): CollectedPlatform[] {
    return [...this.collectors.keys()];
  }
}

/** Validated settings: defaults overlaid with the given values. */
export function collectSettings(overrides: Partial<CollectSettings> = {}): CollectSettings {
  const s: CollectSettings = { ...DEFAULT_COLLECT_SETTINGS };
  for (const [k, v] of Object.entries(overrides) as Array<[keyof CollectSettings, unknown]>) {
    if (v !== undefined) (s as unknown as Record<string, unknown>)[k] = v;
  }
  const positive: Array<keyof CollectSettings> = ['concurrency', 'batchSize', 'telegramRatePerSecond', 'telegramConcurrency', 'timeoutMs'];
  for (const k of positive) {
    if (!(typeof s[k] === 'number' && (s[k] as number) > 0)) throw new RangeError(`collect.${k} must be a positive number, got ${JSON.stringify(s[k])}`);
  }
  if (s.batchSize > 50) throw new RangeError('collect.batchSize must be at most 50 (Graph API batch limit)');
  return s;
}

/** The Facebook, Instagram and Telegram collectors; Facebook and Instagram share one Graph transport. */
export function createDefaultRegistry(settings: CollectSettings): CollectorRegistry {
  const graph = new GraphTransport(settings);
  return new CollectorRegistry()
    .register(new FacebookCollector(graph))
    .register(new InstagramCollector(graph))
    .register(new TelegramCollector(settings));
}
