import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { projectRoot } from '../src/paths.js';
import { REDIRECT_PATH } from '../src/slack/app.js';
import { ALIGNMENT_COMMAND } from '../src/slack/listeners/commands/alignment-command.js';
import { BOT_EVENTS } from '../src/slack/listeners/events/index.js';
import { BOT_SCOPES } from '../src/slack/scopes.js';

const specs = join(projectRoot, 'test', 'slack-specs');
const readJson = (path: string) =>
  JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

interface Manifest {
  features: {
    slash_commands: { command: string; usage_hint?: string }[];
    app_home: Record<string, boolean>;
  };
  oauth_config: { scopes: { bot: string[] }; redirect_urls?: string[] };
  settings: {
    event_subscriptions: { bot_events: string[]; request_url: string };
    org_deploy_enabled?: boolean;
    interactivity: { is_enabled: boolean };
    socket_mode_enabled: boolean;
  };
}

const manifest = parse(readFileSync(join(projectRoot, 'manifest.yml'), 'utf8')) as Manifest;

function validator() {
  // The v1 schema that Slack's manifest-schema repository publishes, read locally.
  const schema = readJson(join(specs, 'manifest', 'manifest.schema.1.0.0.json'));
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  return ajv.compile(schema);
}

describe('manifest.yml', () => {
  it("validates against Slack's published manifest schema", () => {
    const validate = validator();
    const valid = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('is checked by a schema that rejects a broken manifest', () => {
    const validate = validator();
    expect(validate(readJson(join(specs, 'manifest', 'v1_manifest.valid.json')))).toBe(true);
    expect(validate({ ...manifest, display_information: { name: '' } })).toBe(false);
    expect(validate({ ...manifest, settings: { ...manifest.settings, interactivity: {} } })).toBe(
      false,
    );
  });

  it('declares the slash command the app answers, with a usage hint', () => {
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual([ALIGNMENT_COMMAND]);
    expect(manifest.features.slash_commands[0]?.usage_hint).toContain('help');
  });

  it('subscribes to exactly the events the app handles, each a real Slack event', () => {
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual(
      [...BOT_EVENTS].sort(),
    );
    const known = new Set(
      (
        readJson(join(specs, 'docs.slack.dev', 'events', 'events.json')) as unknown as {
          name: string;
        }[]
      ).map((e) => e.name),
    );
    for (const event of BOT_EVENTS) expect(known.has(event)).toBe(true);
  });

  it('turns on interactivity and the App Home tab, and asks only for the scopes the app uses', () => {
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.oauth_config.scopes.bot.sort()).toEqual(
      [
        'channels:read',
        'chat:write',
        'commands',
        'files:write',
        'groups:read',
        'im:write',
        'users:read',
      ].sort(),
    );
    // An install by OAuth asks for exactly these.
    expect([...BOT_SCOPES].sort()).toEqual(manifest.oauth_config.scopes.bot.sort());
  });

  it("sends Slack's OAuth redirect to the app's redirect path, and lets an Enterprise Grid org install it once", () => {
    const urls = manifest.oauth_config.redirect_urls ?? [];
    expect(urls.map((url) => new URL(url).pathname)).toEqual([REDIRECT_PATH]);
    expect(new URL(urls[0] ?? '').host).toBe(
      new URL(manifest.settings.event_subscriptions.request_url).host,
    );
    expect(manifest.settings.org_deploy_enabled).toBe(true);
  });

  it('names, for every method the app may call, a scope the manifest grants', () => {
    const methods = [
      'chat.postMessage',
      'chat.update',
      'chat.postEphemeral',
      'conversations.members',
      'conversations.open',
      'users.info',
      'views.open',
      'views.publish',
      'files.getUploadURLExternal',
      'files.completeUploadExternal',
    ];
    const granted = new Set(manifest.oauth_config.scopes.bot);
    for (const method of methods) {
      const spec = readJson(join(specs, 'docs.slack.dev', 'methods', `${method}.json`)) as {
        scope?: { bot?: string[] };
      };
      const needs = spec.scope?.bot ?? [];
      const ok = needs.length === 0 || needs.some((scope) => granted.has(scope));
      expect(ok, `${method} needs one of ${needs.join(', ')}`).toBe(true);
    }
  });
});

describe('manifests/socket-mode.yml', () => {
  const socket = parse(
    readFileSync(join(projectRoot, 'manifests', 'socket-mode.yml'), 'utf8'),
  ) as Manifest;

  it("validates against Slack's published manifest schema", () => {
    const validate = validator();
    const valid = validate(socket);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('is the same app as manifest.yml with Socket Mode on, no public address and no OAuth redirect', () => {
    // Read afresh: other tests sort the scopes of the shared copy in place.
    const expected = parse(readFileSync(join(projectRoot, 'manifest.yml'), 'utf8')) as {
      features: { slash_commands: { url?: string }[] };
      oauth_config: { redirect_urls?: string[] };
      settings: Record<string, { request_url?: string } | boolean>;
    };
    for (const command of expected.features.slash_commands) delete command.url;
    // Installing by OAuth in many workspaces is served over HTTP only.
    delete expected.oauth_config.redirect_urls;
    for (const part of ['event_subscriptions', 'interactivity']) {
      const setting = expected.settings[part];
      if (typeof setting === 'object') delete setting.request_url;
    }
    expected.settings.socket_mode_enabled = true;
    expect(socket).toEqual(expected);
    expect(JSON.stringify(socket)).not.toContain('example.com');
  });
});
