import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { connect, createServer, type RelayServer } from '../../../src/index.js';
import { parseRecipe } from '../../../src/recipes/load.js';
import { type RecipeRun, runRecipes } from '../../../src/recipes/runtime.js';
import { scrape } from '../../support/prometheus.js';

const DEPLOY = resolve('deploy');
const read = (path: string) => readFileSync(join(DEPLOY, path), 'utf8');

function has(binary: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${binary}`]).status === 0;
}

/**
 * A check that needs `binary`: skipped, and named so, only when the binary is missing.
 */
function withBinary(binary: string, name: string, fn: () => void): void {
  if (has(binary)) it(`${name} (${binary})`, fn);
  else it.skip(`${name}: SKIPPED, ${binary} is not installed`, fn);
}

/** Every metric name a PromQL expression mentions (ours, prom-client's and `up`). */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\b((?:relaykit|nodejs|process)_[a-z0-9_]+)/g)].map((m) => m[1]!);
}

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: string };
  annotations: { summary: string; description?: string };
}

const rules = parseYaml(read('prometheus/relaykit-alerts.yml')) as {
  groups: { name: string; rules: Rule[] }[];
};
const dashboard = JSON.parse(read('grafana/relaykit-dashboard.json')) as {
  title: string;
  uid: string;
  panels: { title: string; targets: { expr: string }[] }[];
};

describe('deploy/prometheus/relaykit-alerts.yml', () => {
  it('parses, and alerts on slow readers, protocol errors, Redis down and no users', () => {
    expect(rules.groups).toHaveLength(1);
    const all = rules.groups[0]!.rules;
    for (const rule of all) {
      expect(rule).toMatchObject({
        alert: expect.stringMatching(/^Relaykit[A-Za-z]+$/),
        expr: expect.any(String),
        labels: { severity: expect.stringMatching(/^(critical|warning|info)$/) },
        annotations: { summary: expect.any(String) },
      });
    }
    const byName = new Map(all.map((r) => [r.alert, r.expr]));
    expect(byName.get('RelaykitSlowReadersDropped')).toContain('reason="slow_reader"');
    expect(byName.get('RelaykitProtocolErrors')).toContain('relaykit_protocol_errors_total');
    expect(byName.get('RelaykitRedisDown')).toContain('relaykit_cluster_redis_up == 0');
    expect(byName.get('RelaykitNoUsers')).toContain('relaykit_users');
  });

  withBinary('promtool', 'passes promtool check rules', () => {
    execFileSync('promtool', ['check', 'rules', join(DEPLOY, 'prometheus/relaykit-alerts.yml')]);
  });

  // Among them: a bot process that died (its relaykit_bot_connected series gone) still alerts.
  withBinary('promtool', 'passes its unit tests, relaykit-alerts.test.yml', () => {
    const result = spawnSync(
      'promtool',
      ['test', 'rules', join(DEPLOY, 'prometheus/relaykit-alerts.test.yml')],
      { encoding: 'utf8' },
    );
    expect({ status: result.status, out: result.stdout + result.stderr }).toMatchObject({
      status: 0,
    });
  });
});

describe('deploy/grafana/relaykit-dashboard.json', () => {
  it('parses, and every panel queries something', () => {
    expect(dashboard).toMatchObject({ title: 'relaykit', uid: 'relaykit' });
    expect(dashboard.panels.length).toBeGreaterThan(10);
    for (const panel of dashboard.panels) {
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
      for (const t of panel.targets) expect(metricNames(t.expr), panel.title).not.toEqual([]);
    }
  });
});

describe('metric names in the dashboard and the rules', () => {
  let server: RelayServer | undefined;
  let run: RecipeRun | undefined;
  afterAll(async () => {
    await run?.stop();
    await server?.close();
  });

  it('are all in a real scrape of a server and of a bot run', async () => {
    server = createServer({
      port: 0,
      metrics: { port: 0 },
      clusterHealth: () => ({ nodes: 1, redisUp: true }),
    });
    const at = await server.listen();
    const recipe = parseRecipe(
      'bots:\n  - name: echo\n    rooms: [lobby]\n    on:\n      - post: { room: lobby }\n        do: [{ log: "{text}" }]\n',
      'echo.yaml',
    );
    if (!recipe.ok) throw new Error(recipe.errors.join('\n'));
    run = await runRecipes([recipe.plan], {
      resolveServer: async () => at,
      log: () => {},
      report: () => {},
      metrics: { host: '127.0.0.1', port: 0 },
    });
    // Series with labels appear once counted: make the bot count something of each kind.
    const alice = await connect({ name: 'alice', host: at.host, port: at.port });
    await alice.join('lobby');
    await alice.say('lobby', 'hello');
    await alice.close();
    const known = new Set<string>();
    for (const port of [server.metricsAddress!.port, run.metricsAddress!.port]) {
      for (const name of (await scrape(port)).families.keys()) known.add(name);
    }
    const used = [
      ...dashboard.panels.flatMap((p) => p.targets.flatMap((t) => metricNames(t.expr))),
      ...rules.groups.flatMap((g) => g.rules.flatMap((r) => metricNames(r.expr))),
    ];
    expect([...new Set(used)].filter((name) => !known.has(name))).toEqual([]);
    // And the other way round: the dashboard shows every relaykit metric a scrape has.
    const shown = new Set(
      dashboard.panels.flatMap((p) => p.targets.flatMap((t) => metricNames(t.expr))),
    );
    expect([...known].filter((n) => n.startsWith('relaykit_') && !shown.has(n))).toEqual([]);
  });
});

describe('deploy/systemd', () => {
  // systemd-analyze verify checks that ExecStart exists: the units name the installed
  // /usr/local/bin/relaykit, so the copies checked here name this checkout's bin/relaykit.
  withBinary('systemd-analyze', 'units pass systemd-analyze verify with no warnings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaykit-units-'));
    try {
      const bin = resolve('bin/relaykit');
      const units = [
        ['relaykit.service', 'relaykit.service'],
        ['relaykit-bot@.service', 'relaykit-bot@archive.service'],
      ];
      for (const [source, checked] of units) {
        const text = read(`systemd/${source}`).replaceAll('/usr/local/bin/relaykit', bin);
        writeFileSync(join(dir, checked!), text);
        const result = spawnSync('systemd-analyze', ['verify', join(dir, checked!)], {
          encoding: 'utf8',
        });
        expect({ unit: source, status: result.status, stderr: result.stderr.trim() }).toEqual({
          unit: source,
          status: 0,
          stderr: '',
        });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the server unit is sandboxed and serves metrics on loopback', () => {
    for (const unit of ['relaykit.service', 'relaykit-bot@.service']) {
      const text = read(`systemd/${unit}`);
      for (const line of [
        'DynamicUser=yes',
        'ProtectSystem=strict',
        'ProtectHome=yes',
        'NoNewPrivileges=yes',
        'CapabilityBoundingSet=',
        'ExecReload=/bin/kill -HUP $MAINPID',
      ]) {
        expect(text.split('\n'), `${unit}: ${line}`).toContain(line);
      }
      expect(text).toMatch(/--metrics 127\.0\.0\.1:\d+/);
    }
  });
});

describe('deploy/logrotate/relaykit-archive', () => {
  it('rotates the bot units’ archives and sends SIGHUP afterwards', () => {
    const text = read('logrotate/relaykit-archive');
    expect(text).toMatch(
      /postrotate\n\s+systemctl kill --signal=HUP[^\n]*relaykit-bot@\*\.service/,
    );
    // --kill-whom is systemd 252's new name; every version knows --kill-who.
    expect(text).toContain('--kill-who=main');
    expect(text).toMatch(/endscript\n\}/);
    expect(text).toContain('/var/lib/private/relaykit-bot/');
  });

  withBinary('logrotate', 'passes logrotate --debug', () => {
    const result = spawnSync('logrotate', ['--debug', join(DEPLOY, 'logrotate/relaykit-archive')], {
      encoding: 'utf8',
    });
    expect(result.stderr).not.toMatch(/error/i);
  });
});
