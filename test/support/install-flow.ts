/**
 * A person clicking "Add to Slack", over HTTP only: a small browser with a
 * cookie jar (fetch with `redirect: 'manual'`) that opens the app's install
 * page, follows its "Add to Slack" link (or its redirect) to Slack's authorize
 * page on the stand-in, and follows Slack's redirect back to the app's OAuth
 * redirect URL with the cookies the app set. What the person does on Slack's
 * page is queued on the stand-in beforehand (`standIn.nextAuthorization`).
 * Every step is returned: status, location, body text, cookies set.
 *
 * It knows nothing of the app's code: only what a browser would see.
 */

export interface FlowStep {
  /** What the step was: the install page, Slack's authorize page, the app's callback, … */
  kind: 'install' | 'authorize' | 'callback' | 'redirect' | 'replay';
  method: 'GET';
  url: string;
  status: number;
  /** The Location header of a redirect. */
  location: string | undefined;
  body: string;
  /** The Set-Cookie headers of the answer. */
  setCookies: string[];
  /** The Cookie header the browser sent. */
  cookieSent: string | undefined;
}

export interface InstallFlowResult {
  steps: FlowStep[];
  /** The page the person ends on (the last step before any replay). */
  final: FlowStep;
  /** The Add to Slack link: Slack's authorize URL with the app's client id, scopes and state. */
  authorizeUrl: string | undefined;
  /** Where Slack sent the browser back: the app's redirect URL with code (or error) and state. */
  callbackUrl: string | undefined;
  code: string | undefined;
  /** The state as Slack sent it back (before any forging). */
  state: string | undefined;
  /** With `replayCode`: the second visit to the callback URL. */
  replay: FlowStep | undefined;
  browser: Browser;
}

export interface InstallFlowOptions {
  /** The app's origin, e.g. http://127.0.0.1:3000 */
  appUrl: string;
  /** Where the install page is; Bolt's default is /slack/install. */
  installPath?: string;
  /** Replace the state in the callback URL: with this text, or (true) with a made-up one. */
  forgeState?: string | true;
  /** Leave the cookies out of the request to the callback (another browser, cookies cleared). */
  dropCookie?: boolean;
  /**
   * Runs after Slack's page answered and before the browser follows it back to
   * the app: e.g. move a fake clock until the state has expired.
   */
  beforeCallback?: () => void | Promise<void>;
  /**
   * After the callback, open the same callback URL once more with the cookies
   * sent the first time (a replayed code, as an attacker holding both would).
   */
  replayCode?: boolean;
  /** Redirects the app's pages may chain (install page, after the callback). */
  maxRedirects?: number;
  /** Use this browser (and its cookies) instead of a fresh one. */
  browser?: Browser;
}

/** A cookie jar and GET, as a browser does it (no redirect followed by itself). */
export class Browser {
  /** host → cookie name → value (cookies are per host, not per port, as browsers keep them). */
  readonly jar = new Map<string, Map<string, string>>();

  cookieHeader(url: string): string | undefined {
    const cookies = this.jar.get(new URL(url).hostname);
    if (cookies === undefined || cookies.size === 0) return undefined;
    return [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async get(
    url: string,
    kind: FlowStep['kind'],
    options: { cookie?: string | null } = {},
  ): Promise<FlowStep> {
    const cookie = options.cookie === undefined ? this.cookieHeader(url) : options.cookie;
    const response = await fetch(url, {
      redirect: 'manual',
      headers: cookie === undefined || cookie === null ? {} : { cookie },
    });
    const body = await response.text();
    const setCookies = response.headers.getSetCookie();
    this.keep(url, setCookies);
    const location = response.headers.get('location') ?? undefined;
    return {
      kind,
      method: 'GET',
      url,
      status: response.status,
      location: location === undefined ? undefined : new URL(location, url).toString(),
      body,
      setCookies,
      cookieSent: cookie ?? undefined,
    };
  }

  private keep(url: string, setCookies: string[]): void {
    const host = new URL(url).hostname;
    const cookies = this.jar.get(host) ?? new Map<string, string>();
    for (const header of setCookies) {
      const [pair = '', ...attributes] = header.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const attr = (key: string) =>
        attributes.find((a) => a.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
      const maxAge = attr('max-age');
      const expires = attr('expires');
      const gone =
        (maxAge !== undefined && Number(maxAge) <= 0) ||
        (expires !== undefined && Date.parse(expires) <= Date.now());
      if (gone) cookies.delete(name);
      else cookies.set(name, value);
    }
    this.jar.set(host, cookies);
  }
}

/** The Add to Slack link on an install page: the first link to an OAuth authorize URL. */
export function addToSlackLink(html: string, pageUrl: string): string | undefined {
  const hrefs = [...html.matchAll(/<a\b[^>]*\bhref\s*=\s*("([^"]*)"|'([^']*)')/gi)].map((m) =>
    decodeEntities(m[2] ?? m[3] ?? ''),
  );
  const link = hrefs.find((href) => /\/oauth\/v2\/authorize\b/.test(href)) ?? hrefs[0];
  return link === undefined ? undefined : new URL(link, pageUrl).toString();
}

function decodeEntities(text: string): string {
  return text
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}

/** Walks the whole flow; see the file's comment. */
export async function clickAddToSlack(options: InstallFlowOptions): Promise<InstallFlowResult> {
  const browser = options.browser ?? new Browser();
  const maxRedirects = options.maxRedirects ?? 5;
  const steps: FlowStep[] = [];
  const done = (extra: Partial<InstallFlowResult> = {}): InstallFlowResult => {
    const final = steps.filter((s) => s.kind !== 'replay').at(-1) as FlowStep;
    return {
      steps,
      final,
      authorizeUrl: undefined,
      callbackUrl: undefined,
      code: undefined,
      state: undefined,
      replay: undefined,
      browser,
      ...extra,
    };
  };

  // 1. The app's install page: a page with the Add to Slack link, or a redirect to Slack.
  let step = await browser.get(
    new URL(options.installPath ?? '/slack/install', options.appUrl).toString(),
    'install',
  );
  steps.push(step);
  let authorizeUrl: string | undefined;
  for (let hops = 0; authorizeUrl === undefined; hops++) {
    if (step.status >= 300 && step.status < 400 && step.location !== undefined) {
      if (/\/oauth\/v2\/authorize\b/.test(new URL(step.location).pathname)) {
        authorizeUrl = step.location;
      } else if (hops < maxRedirects) {
        step = await browser.get(step.location, 'redirect');
        steps.push(step);
      } else return done();
    } else if (step.status === 200) {
      authorizeUrl = addToSlackLink(step.body, step.url);
      if (authorizeUrl === undefined) return done();
    } else return done();
  }

  // 2. Slack's authorize page: what the person does there was queued on the stand-in.
  const authorize = await browser.get(authorizeUrl, 'authorize');
  steps.push(authorize);
  if (!(authorize.status >= 300 && authorize.status < 400) || authorize.location === undefined)
    return done({ authorizeUrl });

  // 3. Back to the app, with the code (or error) and the state, and the app's cookies.
  const sent = new URL(authorize.location);
  const code = sent.searchParams.get('code') ?? undefined;
  const state = sent.searchParams.get('state') ?? undefined;
  const callback = new URL(sent);
  if (options.forgeState !== undefined)
    callback.searchParams.set(
      'state',
      options.forgeState === true
        ? `forged-${Math.random().toString(36).slice(2)}`
        : options.forgeState,
    );
  await options.beforeCallback?.();
  const callbackUrl = callback.toString();
  step = await browser.get(
    callbackUrl,
    'callback',
    options.dropCookie === true ? { cookie: null } : {},
  );
  steps.push(step);
  const firstCookie = step.cookieSent;
  for (let hops = 0; hops < maxRedirects; hops++) {
    if (!(step.status >= 300 && step.status < 400) || step.location === undefined) break;
    step = await browser.get(step.location, 'redirect');
    steps.push(step);
  }

  // 4. The same callback URL again, with the cookies of the first visit.
  let replay: FlowStep | undefined;
  if (options.replayCode === true) {
    replay = await browser.get(callbackUrl, 'replay', { cookie: firstCookie ?? null });
    steps.push(replay);
  }
  return done({ authorizeUrl, callbackUrl, code, state, replay });
}
