import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { simCommand, toSimulatorOptions } from '../../../src/sim/command.js';
import { call } from './http-client.js';

describe('sim command', () => {
  it('lists its options in --help', () => {
    const help = simCommand().helpInformation();
    for (const option of ['--port', '--token', '--tier', '--preset', '--seed', '--request-log', '--contacts', '--engagements', '--submissions', '--mutations-per-minute', '--background-load', '--latency-ms', '--latency-tail', '--fault-5xx', '--fault-timeout', '--fault-reset', '--fault-malformed', '--fault-429-burst', '--token-expires-after', '--search-lag-ms', '--same-ms-batch', '--retry-after', '--no-rate-limit']) {
      expect(help).toContain(option);
    }
  });

  it('maps command-line options onto simulator options', () => {
    const command = simCommand();
    command.action(() => undefined);
    command.parse(['--tier', 'enterprise', '--contacts', '70', '--fault-5xx', '0.1', '--retry-after', 'off', '--no-rate-limit', '--latency-ms', '20'], { from: 'user' });
    const options = toSimulatorOptions(command.opts() as never);
    expect(options).toMatchObject({
      tier: 'enterprise',
      size: { contacts: 70 },
      faults: { serverError: 0.1 },
      retryAfter: false,
      rateLimit: false,
      latencyMedianMs: 20,
      latencyTailMs: 200,
    });
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
