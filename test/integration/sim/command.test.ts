import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { simCommand, toSimulatorOptions } from '../../../src/sim/command.js';
import { call } from './http-client.js';

describe('sim command', () => {
  it('lists its options in --help', () => {
    const help = simCommand().helpInformation();
    for (const option of [
      '--port',
      '--token',
      '--tier',
      '--preset',
      '--seed',
      '--request-log',
      '--contacts',
      '--engagements',
      '--submissions',
      '--mutations-per-minute',
      '--background-load',
      '--latency-ms',
      '--latency-tail',
      '--fault-5xx',
      '--fault-timeout',
      '--fault-reset',
      '--fault-malformed',
      '--fault-429-burst',
      '--token-expires-after',
      '--search-lag-ms',
      '--same-ms-batch',
      '--retry-after',
      '--no-rate-limit',
      '--catalog',
      '--custom-properties',
      '--max-url-bytes',
      '--page-drift',
      '--page-drift-window-ms',
      '--no-legacy-paths',
      '--fault-edge-200',
      '--tickets',
      '--line-items',
      '--custom-objects',
      '--owners',
      '--portals',
      '--without',
    ]) {
      expect(help).toContain(option);
    }
  });

  it('maps command-line options onto simulator options', () => {
    const command = simCommand();
    command.action(() => undefined);
    command.parse(['--tier', 'enterprise', '--contacts', '70', '--fault-5xx', '0.1', '--retry-after', 'off', '--no-rate-limit', '--latency-ms', '20'], {
      from: 'user',
    });
    const options = toSimulatorOptions(command.opts() as never);
    expect(options).toMatchObject({
      tier: 'enterprise',
      size: { contacts: 70 },
      faults: { serverError: 0.1 },
      retryAfter: false,
      rateLimit: false,
      latencyMedianMs: 20,
      latencyTailMs: 200,
      catalog: 'realistic',
      legacyPaths: true,
    });
  });

  it('maps the real-portal options (issue 13)', () => {
    const command = simCommand();
    command.action(() => undefined);
    command.parse(
      [
        '--catalog',
        'minimal',
        '--custom-properties',
        '40',
        '--max-url-bytes',
        '4096',
        '--page-drift',
        '0.2',
        '--page-drift-window-ms',
        '5000',
        '--no-legacy-paths',
        '--fault-edge-200',
        '0.01',
      ],
      { from: 'user' },
    );
    expect(toSimulatorOptions(command.opts() as never)).toMatchObject({
      catalog: 'minimal',
      customProperties: 40,
      maxUrlBytes: 4096,
      pageDrift: 0.2,
      pageDriftWindowMs: 5000,
      legacyPaths: false,
      faults: { edgePage200: 0.01 },
    });
  });

  it('maps the stream and fleet options (issues 14 and 16), and refuses a type it cannot leave out', () => {
    const command = simCommand();
    command.action(() => undefined);
    command.parse(
      [
        '--tickets',
        '5',
        '--products',
        '6',
        '--line-items',
        '7',
        '--quotes',
        '8',
        '--leads',
        '9',
        '--custom-objects',
        '2',
        '--custom-records',
        '10',
        '--owners',
        '11',
        '--portals',
        '100',
        '--without',
        'leads,quotes',
      ],
      { from: 'user' },
    );
    expect(toSimulatorOptions(command.opts() as never)).toMatchObject({
      size: { tickets: 5, products: 6, lineItems: 7, quotes: 8, leads: 9, customObjects: 2, customRecords: 10, owners: 11 },
      portals: 100,
      without: ['leads', 'quotes'],
    });
    const bad = simCommand()
      .exitOverride()
      .configureOutput({ writeErr: () => undefined });
    bad.action(() => undefined);
    expect(() => bad.parse(['--without', 'contacts'], { from: 'user' })).toThrow(/--without takes tickets, products, line_items, quotes, leads/);
  });

  it('prints the URL it serves, serves with the given token, and stops on SIGTERM', async () => {
    const runner = path.resolve('test', 'integration', 'sim', 'run-sim-command.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', runner, '--port', '0', '--token', 'cli-token', '--preset', 'small', '--seed', '2'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let stdout = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const match = /HubSpot simulator listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(stdout);
          if (match) resolve(match[1]);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${stdout}`)));
      });
      expect((await call(url, 'GET', '/crm/v3/objects/contacts', { token: 'cli-token' })).status).toBe(200);
      expect((await call(url, 'GET', '/crm/v3/objects/contacts')).status).toBe(401);
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = await exited;
      expect(code).toBe(0);
      expect(stdout).not.toContain('cli-token');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
