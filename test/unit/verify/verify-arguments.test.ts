import { describe, expect, it } from 'vitest';
import { parseArguments, UsageError } from '../../../src/verify/command.js';

const usageMessage = (argv: string[]): string => {
  try {
    parseArguments(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
};

describe('parseArguments', () => {
  it('defaults to the professional tier: 190 per 10 s', () => {
    expect(parseArguments(['--log', 'a.ndjson'])).toMatchObject({
      log: 'a.ndjson',
      limit: 190,
      windowMs: 10_000,
      tier: 'professional',
      json: false,
    });
  });

  it.each([
    ['free', 100],
    ['starter', 100],
    ['professional', 190],
    ['enterprise', 190],
    ['api-addon', 250],
  ])('takes the limit from --tier %s', (tier, limit) => {
    expect(parseArguments(['--tier', tier])).toMatchObject({ limit, windowMs: 10_000, tier });
  });

  it('lets --limit and --window override the tier, in either --opt value or --opt=value form', () => {
    expect(parseArguments(['--tier=starter', '--limit=7', '--window', '1500', '--chart', 'c.svg', '--json'])).toMatchObject({
      limit: 7,
      windowMs: 1_500,
      chart: 'c.svg',
      json: true,
      limitSource: '--limit, --window',
    });
    expect(parseArguments(['--window', '2000'])).toMatchObject({ limit: 190, windowMs: 2_000, limitSource: 'tier professional, --window' });
    expect(parseArguments(['--tier', 'free'])).toMatchObject({ limitSource: 'tier free', durationMs: 25_000 });
    expect(parseArguments(['--duration', '3000'])).toMatchObject({ durationMs: 3_000 });
  });

  it('checks search at 5 per second unless --search-limit says otherwise', () => {
    expect(parseArguments([])).toMatchObject({ searchLimit: 5, searchInBurst: false });
    expect(parseArguments(['--search-limit', '4', '--search-in-burst'])).toMatchObject({ searchLimit: 4, searchInBurst: true });
  });

  it('returns null for --help', () => {
    expect(parseArguments(['--help'])).toBeNull();
  });

  it.each([
    [['--limit', '-3'], '--limit must be a positive integer, got "-3"'],
    [['--limit', '0'], '--limit must be a positive integer, got "0"'],
    [['--limit', '1.5'], '--limit must be a positive integer, got "1.5"'],
    [['--window', 'ten'], '--window must be a positive number of milliseconds, got "ten"'],
    [['--tier', 'gold'], '--tier must be one of free, starter, professional, enterprise, api-addon, got "gold"'],
    [['--log'], '--log needs a value'],
    [['--log', '--json'], '--log needs a value'],
    [['--verbose'], 'unknown option --verbose'],
    [['log.ndjson'], 'unexpected argument "log.ndjson"'],
    [['--json=yes'], '--json takes no value'],
    [['--limit', '5', '--limit', '6'], '--limit given twice'],
    [['--log', 'a.ndjson', '--duration', '5000'], '--duration applies only to the simulator load, not with --log'],
    [['--duration', '-1'], '--duration must be a positive number of milliseconds, got "-1"'],
    [['--search-limit', 'x'], '--search-limit must be a positive integer, got "x"'],
  ])('rejects %j with a message naming the problem', (argv, message) => {
    expect(usageMessage(argv)).toBe(message);
  });
});
