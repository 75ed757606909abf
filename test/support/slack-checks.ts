import { readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../../src/paths.js';

/**
 * The checking half of the Slack stand-in: would Slack accept this Web API call?
 *
 * Arguments are checked against Slack's own method specs (vendored from
 * docs.slack.dev under test/slack-specs), and blocks and views against Block
 * Kit's published limits. Every check answers with problems: readable lines
 * naming the argument or the block path (`blocks[3].text`). No problems means
 * Slack would take the call.
 *
 * Characters are counted as Unicode code points (`[...s].length`), so an emoji
 * or an accented letter counts as one, everywhere in this file.
 */

export type Surface = 'message' | 'modal' | 'home';

type ArgType = 'string' | 'boolean' | 'integer' | 'number' | 'array' | 'object' | 'null';

/** One argument as the docs.slack.dev specs describe it (a JSON Schema dialect). */
export interface ArgSpec {
  type?: ArgType;
  anyOf?: ArgSpec[];
  allOf?: ArgSpec[];
  desc?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: ArgSpec;
  required?: string[];
  properties?: Record<string, ArgSpec>;
}

export interface MethodSpec {
  desc?: string;
  http_method?: string;
  json_input_supported?: boolean;
  args: { required?: string[]; properties: Record<string, ArgSpec> };
  errors?: Record<string, { desc?: string }>;
  /** The rate-limit tier: t1–t4, or t5 for a method with its own rule. */
  rate_limits?: string;
}

type Obj = Record<string, unknown>;

const isObject = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isAbsent = (value: unknown) => value === undefined || value === null;

/** Length as Slack's limits count it: Unicode code points. */
const chars = (s: string): number => [...s].length;

const show = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return chars(text) > 40 ? `${[...text].slice(0, 40).join('')}…` : text;
};

// ---- method specs ------------------------------------------------------------------

// From the project folder, so the checks work from test/ and from a compiled copy (the demo).
const SPEC_DIR = pathToFileURL(
  join(projectRoot, 'test', 'slack-specs', 'docs.slack.dev', 'methods') + sep,
);
const specs = new Map<string, MethodSpec | undefined>();

/** Slack's published spec of a Web API method, or undefined when Slack has no such method. */
export function loadMethodSpec(method: string): MethodSpec | undefined {
  if (!specs.has(method)) specs.set(method, readSpec(method));
  return specs.get(method);
}

function readSpec(method: string): MethodSpec | undefined {
  // Dotted words only: keeps paths out, and the methods.json index is not a method.
  if (!/^[a-zA-Z0-9]+(\.[a-zA-Z0-9]+)+$/.test(method)) return undefined;
  let spec: unknown;
  try {
    spec = JSON.parse(readFileSync(new URL(`${method}.json`, SPEC_DIR), 'utf8'));
  } catch {
    return undefined;
  }
  if (!isObject(spec) || !isObject(spec.args) || !isObject(spec.args.properties)) return undefined;
  return spec as unknown as MethodSpec;
}

// ---- method arguments ----------------------------------------------------------------

interface ArgCheck {
  problems: string[];
  /** Arguments with a problem: the deeper Block Kit checks leave them alone. */
  bad: Set<string>;
}

/** Problems with a call's arguments: unknown method, missing, unknown or mistyped arguments. */
export function checkMethodArgs(
  method: string,
  args: Record<string, unknown>,
  opts: { tokenInHeader?: boolean } = {},
): string[] {
  return checkArgs(method, args, opts).problems;
}

function checkArgs(method: string, args: Obj, opts: { tokenInHeader?: boolean }): ArgCheck {
  const result: ArgCheck = { problems: [], bad: new Set() };
  const spec = loadMethodSpec(method);
  if (spec === undefined) {
    result.problems.push(
      `${method} is not a Slack Web API method (Slack publishes no spec for it)`,
    );
    return result;
  }
  const { properties, required = [] } = spec.args;
  const missing = required.filter(
    (name) => isAbsent(args[name]) && !(name === 'token' && opts.tokenInHeader),
  );
  if (missing.length > 0) {
    result.problems.push(`missing required argument(s): ${missing.join(', ')}`);
  }
  for (const [name, value] of Object.entries(args)) {
    if (value === null && missing.includes(name)) continue;
    const argSpec = Object.hasOwn(properties, name) ? properties[name] : undefined;
    const problems =
      argSpec === undefined
        ? [`unknown argument "${name}": the ${method} spec does not list it`]
        : checkArg(name, value, argSpec);
    if (problems.length > 0) result.bad.add(name);
    result.problems.push(...problems);
  }
  return result;
}

/** Marks a value that is not of the type tried. */
const NOT = Symbol('not this type');

/** The typed alternatives a spec allows; none means the spec does not say (anything goes). */
function typedBranches(spec: ArgSpec): ArgSpec[] {
  if (spec.type !== undefined) return [spec];
  if (spec.anyOf !== undefined) {
    const branches = spec.anyOf.map(typedBranches);
    return branches.some((b) => b.length === 0) ? [] : branches.flat();
  }
  return (spec.allOf ?? []).flatMap(typedBranches);
}

/** A string argument that carries JSON (blocks, attachments, metadata): a JSON body sends the value itself. */
const carriesJson = (spec: ArgSpec, branch: ArgSpec) =>
  branch.type === 'string' && /\bJSON\b/.test(spec.desc ?? '');

function checkArg(name: string, value: unknown, spec: ArgSpec): string[] {
  if (value === undefined) return [];
  const branches = typedBranches(spec);
  if (value === null) {
    return branches.some((b) => b.type === 'null') ? [] : [`${name} must not be null`];
  }
  for (const branch of branches) {
    const typed = coerce(value, branch.type ?? 'null', carriesJson(spec, branch));
    if (typed !== NOT) return constraintProblems(name, typed, branch);
  }
  if (branches.length === 0) return [];
  const expected = branches.map((b) => (carriesJson(spec, b) ? 'JSON text' : b.type));
  return [`${name} must be ${[...new Set(expected)].join(' or ')}; got ${show(value)}`];
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return NOT;
  }
};

const NUMERIC = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;
const BOOLEAN_TEXT: Record<string, boolean> = { true: true, false: false, '1': true, '0': false };

/**
 * The value as `type`, or NOT. Form-encoded bodies carry only strings (objects as
 * JSON text); JSON bodies carry typed values. Both are accepted.
 */
function coerce(value: unknown, type: ArgType, json: boolean): unknown {
  const parsed = () => parseStructured(value);
  switch (type) {
    case 'string': {
      if (typeof value === 'number' && Number.isFinite(value)) return String(value);
      if (!json) return typeof value === 'string' ? value : NOT;
      const structured = parsed();
      return typeof structured === 'object' && structured !== null ? value : NOT;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      return typeof value === 'string' && Object.hasOwn(BOOLEAN_TEXT, value)
        ? BOOLEAN_TEXT[value]
        : NOT;
    case 'integer':
    case 'number': {
      const n = typeof value === 'string' && NUMERIC.test(value) ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n)) return NOT;
      return type === 'integer' && !Number.isInteger(n) ? NOT : n;
    }
    case 'array': {
      const array = parsed();
      return Array.isArray(array) ? array : NOT;
    }
    case 'object': {
      const object = parsed();
      return isObject(object) ? object : NOT;
    }
    case 'null':
      return value === null ? null : NOT;
  }
}

/** The spec's enum, range, length and item rules, on a value already of the branch's type. */
function constraintProblems(name: string, value: unknown, spec: ArgSpec): string[] {
  const out: string[] = [];
  if (spec.enum !== undefined && !spec.enum.some((e) => String(e) === String(value))) {
    out.push(`${name} must be one of ${spec.enum.map(show).join(', ')}; got ${show(value)}`);
  }
  if (typeof value === 'number') {
    if (spec.minimum !== undefined && value < spec.minimum) {
      out.push(`${name} is ${value}; the minimum is ${spec.minimum}`);
    }
    if (spec.maximum !== undefined && value > spec.maximum) {
      out.push(`${name} is ${value}; the maximum is ${spec.maximum}`);
    }
  }
  if (typeof value === 'string') {
    const n = chars(value);
    if (spec.minLength !== undefined && n < spec.minLength) {
      out.push(`${name} is ${n} characters; the minimum is ${spec.minLength}`);
    }
    if (spec.maxLength !== undefined && n > spec.maxLength) {
      out.push(`${name} is ${n} characters; the limit is ${spec.maxLength}`);
    }
  }
  if (Array.isArray(value)) out.push(...arrayProblems(name, value, spec));
  if (isObject(value) && spec.properties !== undefined) {
    out.push(...objectProblems(name, value, spec.properties, spec.required ?? []));
  }
  return out;
}

function arrayProblems(name: string, value: unknown[], spec: ArgSpec): string[] {
  const out: string[] = [];
  if (spec.minItems !== undefined && value.length < spec.minItems) {
    out.push(`${name} has ${value.length} items; the minimum is ${spec.minItems}`);
  }
  if (spec.maxItems !== undefined && value.length > spec.maxItems) {
    out.push(`${name} has ${value.length} items; the limit is ${spec.maxItems}`);
  }
  const items = spec.items;
  if (items !== undefined) {
    out.push(...value.flatMap((item, i) => checkArg(`${name}[${i}]`, item, items)));
  }
  return out;
}

function objectProblems(
  name: string,
  value: Obj,
  properties: Record<string, ArgSpec>,
  required: string[],
): string[] {
  const missing = required.filter((key) => value[key] === undefined);
  return [
    ...(missing.length > 0 ? [`${name} is missing ${missing.join(', ')}`] : []),
    ...Object.entries(value).flatMap(([key, inner]) => {
      const spec = Object.hasOwn(properties, key) ? properties[key] : undefined;
      return spec === undefined
        ? [`${name}.${key} is not a field Slack knows`]
        : checkArg(`${name}.${key}`, inner, spec);
    }),
  ];
}

// ---- whole calls -------------------------------------------------------------------------

const MESSAGE_METHODS = new Set([
  'chat.postMessage',
  'chat.postEphemeral',
  'chat.update',
  'chat.scheduleMessage',
]);

/** The view type each views.* method takes; undefined: either. */
const VIEW_METHODS = new Map<string, 'modal' | 'home' | undefined>([
  ['views.open', 'modal'],
  ['views.push', 'modal'],
  ['views.update', undefined],
  ['views.publish', 'home'],
]);

/** Arguments the spec lists as optional though one of them is needed ("either ... or ..."). */
const ONE_OF = new Map<string, string[]>([
  ['views.open', ['trigger_id', 'interactivity_pointer']],
  ['views.push', ['trigger_id', 'interactivity_pointer']],
  ['views.update', ['view_id', 'external_id']],
  ['conversations.open', ['channel', 'users']],
]);

/** Everything Slack checks on a call: its arguments, then the Block Kit in its blocks or view. */
export function checkCall(
  method: string,
  args: Record<string, unknown>,
  opts: { tokenInHeader?: boolean } = {},
): string[] {
  const { problems, bad } = checkArgs(method, args, opts);
  if (loadMethodSpec(method) === undefined) return problems;
  const present = (name: string) => !isAbsent(args[name]) && !bad.has(name);
  const needed = ONE_OF.get(method);
  if (needed?.every((name) => isAbsent(args[name]))) {
    problems.push(`${method} needs one of ${needed.join(', ')}`);
  }
  const structured = (name: string) => (present(name) ? parseStructured(args[name]) : undefined);
  if (MESSAGE_METHODS.has(method)) {
    problems.push(...checkMessageArgs(method, args, structured('blocks'), present));
  }
  if (VIEW_METHODS.has(method) && present('view')) {
    problems.push(...checkViewArg(method, structured('view'), VIEW_METHODS.get(method)));
  }
  if (method === 'files.completeUploadExternal') {
    problems.push(...checkUploadArgs(structured('files'), structured('blocks')));
  }
  return problems;
}

/** A JSON-valued argument as a value: form bodies send it as JSON text, JSON bodies as itself. */
function parseStructured(value: unknown): unknown {
  return typeof value === 'string' ? parseJson(value) : value;
}

function checkMessageArgs(
  method: string,
  args: Obj,
  blocks: unknown,
  present: (name: string) => boolean,
): string[] {
  const out: string[] = [];
  const text =
    typeof args.text === 'string' || typeof args.text === 'number' ? String(args.text) : undefined;
  if (blocks !== undefined) {
    out.push(...checkBlocks(blocks, 'message'));
    if (text === undefined || text.trim() === '') {
      out.push(
        'text is required when blocks are given: it is the notification and screen-reader fallback',
      );
    }
  }
  if (text !== undefined && chars(text) > 40000) {
    out.push(`text is ${chars(text)} characters; the limit is 40000`);
  }
  // A message's text is mrkdwn unless it says otherwise.
  if (text !== undefined && args.mrkdwn !== false && args.mrkdwn !== 'false')
    for (const problem of unescapedMrkdwn(text)) out.push(`text: ${problem}`);
  const markdown = typeof args.markdown_text === 'string' ? args.markdown_text : undefined;
  if (markdown !== undefined && (present('text') || present('blocks'))) {
    out.push('markdown_text cannot be combined with text or blocks (markdown_text_conflict)');
  }
  if (markdown !== undefined && chars(markdown) > 12000) {
    out.push(`markdown_text is ${chars(markdown)} characters; the limit is 12000`);
  }
  const content = ['text', 'blocks', 'attachments', 'markdown_text'];
  if (method === 'chat.update') content.push('file_ids');
  if (content.every((name) => isAbsent(args[name]))) {
    out.push(`nothing to post: give text, blocks, attachments or markdown_text (no_text)`);
  }
  return out;
}

/**
 * A private answer, posted to a response_url or given in a command's
 * acknowledgement: the message's limits, and every mrkdwn text escaped.
 */
export function checkPrivateAnswer(body: Obj): string[] {
  const out: string[] = [];
  if (body.blocks !== undefined) out.push(...checkBlocks(body.blocks, 'message'));
  if (typeof body.text === 'string' && body.mrkdwn !== false)
    for (const problem of unescapedMrkdwn(body.text)) out.push(`text: ${problem}`);
  return out;
}

/**
 * What the app put in an acknowledgement: a command's private answer, a view
 * to show in place of a form, or errors on a form's blocks (plain text).
 */
export function checkAck(body: unknown): string[] {
  if (!isObject(body)) return [];
  if (body.response_action === 'update' || body.response_action === 'push')
    return checkView(body.view);
  if (body.response_action === 'errors') {
    const errors = isObject(body.errors) ? Object.values(body.errors) : [];
    return errors.every((e) => typeof e === 'string' && chars(e) > 0)
      ? []
      : ['errors must map block ids to non-empty strings'];
  }
  if (body.text !== undefined || body.blocks !== undefined) return checkPrivateAnswer(body);
  return [];
}

function checkViewArg(method: string, view: unknown, kind: 'modal' | 'home' | undefined): string[] {
  const out = checkView(view);
  if (kind !== undefined && isObject(view) && view.type !== kind) {
    out.push(`${method} takes a ${kind} view, not ${show(view.type)}`);
  }
  return out;
}

function checkUploadArgs(files: unknown, blocks: unknown): string[] {
  const out: string[] = [];
  if (Array.isArray(files) && files.length === 0) {
    out.push('files must list at least one uploaded file ({id, title?})');
  }
  if (blocks !== undefined) out.push(...checkBlocks(blocks, 'message'));
  return out;
}

// ---- Block Kit: small helpers --------------------------------------------------------------

type Out = string[];

const NO_LIMIT = Number.POSITIVE_INFINITY;

/** An optional (or required) string of at most `max` characters; returns it when it is one. */
function str(
  out: Out,
  path: string,
  value: unknown,
  max: number,
  opts: { required?: boolean; min?: number } = {},
): string | undefined {
  if (value === undefined) {
    if (opts.required) out.push(`${path} is required`);
    return undefined;
  }
  if (typeof value !== 'string') {
    out.push(`${path} must be a string`);
    return undefined;
  }
  const n = chars(value);
  if (n > max) out.push(`${path} is ${n} characters; the limit is ${max}`);
  if (n < (opts.min ?? 0)) out.push(`${path} is ${n} characters; at least ${opts.min} needed`);
  return value;
}

/**
 * What Slack reads as its own syntax in mrkdwn, and may stand unescaped: a
 * person, a channel, a date, a link; an entity; a quote's "> " at a line's
 * start. `<!here>`, `<!channel>` and `<!everyone>` are Slack's too, but they
 * ping everyone: the app never sends them.
 */
const SLACK_SYNTAX = [
  /<@[UW][A-Z0-9]+(\|[^<>]*)?>/y,
  /<#[CG][A-Z0-9]+(\|[^<>]*)?>/y,
  /<!date\^\d+\^[^|<>]+(\^[^|<>]+)?\|[^<>]+>/y,
  /<(https?|mailto):[^|<>\s]+(\|[^<>]+)?>/y,
  /&(amp|lt|gt);/y,
];

/**
 * Each `&`, `<` or `>` a mrkdwn text leaves unescaped outside Slack's own
 * syntax, code spans included (Slack reads `<discipline>` in backticks as a
 * link and swallows it): every text the app sends must escape them.
 */
export function unescapedMrkdwn(text: string): string[] {
  const found: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '&' && c !== '<' && c !== '>') continue;
    if (c === '>' && (i === 0 || text[i - 1] === '\n') && text[i + 1] === ' ') continue;
    const syntax = SLACK_SYNTAX.find((re) => {
      re.lastIndex = i;
      return re.test(text);
    });
    if (syntax !== undefined) {
      i = syntax.lastIndex - 1;
      continue;
    }
    found.push(`an unescaped "${c}" in ${show(text.slice(Math.max(0, i - 20), i + 20))}`);
  }
  return found;
}

/** A text object: plain_text or mrkdwn, with 1 to `max` characters of text. */
function text(
  out: Out,
  path: string,
  value: unknown,
  max: number,
  opts: { plain?: boolean; required?: boolean } = {},
): void {
  if (value === undefined) {
    if (opts.required) out.push(`${path} is required`);
    return;
  }
  if (!isObject(value)) {
    out.push(`${path} must be a text object ({ type, text })`);
    return;
  }
  if (value.type !== 'plain_text' && value.type !== 'mrkdwn') {
    out.push(`${path}.type must be plain_text or mrkdwn, not ${show(value.type)}`);
  } else if (opts.plain && value.type !== 'plain_text') {
    out.push(`${path} must be plain_text, not mrkdwn`);
  }
  const written = str(out, `${path}.text`, value.text, max, { required: true, min: 1 });
  if (value.type === 'mrkdwn' && written !== undefined && value.verbatim !== true)
    for (const problem of unescapedMrkdwn(written)) out.push(`${path}.text: ${problem}`);
}

const plain = (out: Out, path: string, value: unknown, max: number, required = false) =>
  text(out, path, value, max, { plain: true, required });

/** An optional (or required) array of `min` to `max` items; returns it when it is one. */
function list(
  out: Out,
  path: string,
  value: unknown,
  min: number,
  max: number,
  required = true,
): unknown[] | undefined {
  if (value === undefined) {
    if (required) out.push(`${path} is required`);
    return undefined;
  }
  if (!Array.isArray(value)) {
    out.push(`${path} must be an array`);
    return undefined;
  }
  if (value.length < min) out.push(`${path} has ${value.length} items; at least ${min} needed`);
  if (value.length > max) out.push(`${path} has ${value.length} items; the limit is ${max}`);
  return value;
}

/** An optional integer between `min` and `max`; returns it when it is one. */
function int(out: Out, path: string, value: unknown, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    out.push(`${path} must be an integer`);
    return undefined;
  }
  if (value < min) out.push(`${path} is ${value}; the minimum is ${min}`);
  if (value > max) out.push(`${path} is ${value}; the limit is ${max}`);
  return value;
}

function oneOf(out: Out, path: string, value: unknown, allowed: readonly string[]): void {
  if (value !== undefined && !allowed.includes(value as string)) {
    out.push(`${path} must be ${allowed.join(' or ')}, not ${show(value)}`);
  }
}

/** Records an id, and says so when it is already taken. */
function unique(out: Out, path: string, id: string | undefined, seen: Set<string>, what: string) {
  if (id === undefined) return;
  if (seen.has(id)) out.push(`${path} ${show(id)} is used twice; ${what} must be unique`);
  seen.add(id);
}

// ---- Block Kit: blocks -------------------------------------------------------------------------

interface BlockContext {
  surface: Surface;
  blockIds: Set<string>;
  markdownChars: number;
  charts: number;
}

type BlockCheck = (out: Out, path: string, block: Obj, ctx: BlockContext) => void;

const BLOCK_LIMIT: Record<Surface, number> = { message: 50, modal: 100, home: 100 };
// The chart block is confirmed for messages only (shared/slack-specs/block-kit/data-visualization.md).
const MESSAGE_ONLY_BLOCKS = new Set(['markdown', 'file', 'context_actions', 'data_visualization']);
const MARKDOWN_LIMIT = 12000;

/** Problems with a list of blocks on a surface; paths start at `blocks`. */
export function checkBlocks(blocks: unknown, surface: Surface): string[] {
  const out: Out = [];
  checkBlockList(out, 'blocks', blocks, surface);
  return out;
}

function checkBlockList(out: Out, path: string, blocks: unknown, surface: Surface): void {
  if (!Array.isArray(blocks)) {
    out.push(`${path} must be an array of blocks`);
    return;
  }
  const limit = BLOCK_LIMIT[surface];
  if (blocks.length > limit) {
    out.push(`${path} has ${blocks.length} blocks; a ${surface} takes at most ${limit}`);
  }
  const ctx: BlockContext = { surface, blockIds: new Set(), markdownChars: 0, charts: 0 };
  for (const [i, block] of blocks.entries()) checkBlock(out, `${path}[${i}]`, block, ctx);
  if (ctx.markdownChars > MARKDOWN_LIMIT) {
    out.push(`${path}: markdown blocks hold ${ctx.markdownChars} characters; the limit is 12000`);
  }
}

function checkBlock(out: Out, path: string, block: unknown, ctx: BlockContext): void {
  if (!isObject(block)) {
    out.push(`${path} must be a block object`);
    return;
  }
  const type = typeof block.type === 'string' ? block.type : '';
  const check = BLOCKS.get(type);
  if (check === undefined) {
    out.push(`${path}.type ${show(block.type)} is not a Block Kit block type`);
    return;
  }
  if (MESSAGE_ONLY_BLOCKS.has(type) && ctx.surface !== 'message') {
    out.push(`${path}: a ${type} block can only be used in messages, not in a ${ctx.surface}`);
  }
  const id = str(out, `${path}.block_id`, block.block_id, 255);
  unique(out, `${path}.block_id`, id, ctx.blockIds, 'block_ids');
  check(out, path, block, ctx);
}

const section: BlockCheck = (out, path, block) => {
  if (block.text === undefined && block.fields === undefined) {
    out.push(`${path}: a section needs text or fields`);
  }
  text(out, `${path}.text`, block.text, 3000);
  const fields = list(out, `${path}.fields`, block.fields, 1, 10, false) ?? [];
  for (const [i, field] of fields.entries()) text(out, `${path}.fields[${i}]`, field, 2000);
  if (block.accessory !== undefined) {
    checkElement(out, `${path}.accessory`, block.accessory, 'a section accessory', new Set());
  }
};

const actions: BlockCheck = (out, path, block) => {
  const actionIds = new Set<string>();
  const elements = list(out, `${path}.elements`, block.elements, 1, 25) ?? [];
  for (const [i, element] of elements.entries()) {
    checkElement(out, `${path}.elements[${i}]`, element, 'an actions block', actionIds);
  }
};

const context: BlockCheck = (out, path, block) => {
  const elements = list(out, `${path}.elements`, block.elements, 1, 10) ?? [];
  for (const [i, element] of elements.entries()) {
    const at = `${path}.elements[${i}]`;
    if (isObject(element) && element.type === 'image') imageElement(out, at, element);
    else if (isObject(element) && (element.type === 'plain_text' || element.type === 'mrkdwn')) {
      text(out, at, element, 3000);
    } else out.push(`${at}: a context block holds only image elements and text objects`);
  }
};

const header: BlockCheck = (out, path, block) => {
  plain(out, `${path}.text`, block.text, 150, true);
};

const imageBlock: BlockCheck = (out, path, block) => {
  imageElement(out, path, block);
  plain(out, `${path}.title`, block.title, 2000);
};

const input: BlockCheck = (out, path, block) => {
  plain(out, `${path}.label`, block.label, 2000, true);
  plain(out, `${path}.hint`, block.hint, 2000);
  if (block.elements !== undefined) {
    out.push(`${path}: an input block takes exactly one element, as "element", not "elements"`);
  } else if (block.element === undefined) {
    out.push(`${path}.element is required: an input block takes exactly one element`);
  } else if (Array.isArray(block.element)) {
    out.push(`${path}.element must be one element, not an array`);
  } else {
    checkElement(out, `${path}.element`, block.element, 'an input block', new Set());
  }
};

const richText: BlockCheck = (out, path, block) => {
  list(out, `${path}.elements`, block.elements, 0, NO_LIMIT);
};

const markdown: BlockCheck = (out, path, block, ctx) => {
  const value = str(out, `${path}.text`, block.text, MARKDOWN_LIMIT, { required: true, min: 1 });
  ctx.markdownChars += value === undefined ? 0 : chars(value);
};

const file: BlockCheck = (out, path, block) => {
  str(out, `${path}.external_id`, block.external_id, 255, { required: true, min: 1 });
  if (block.source !== 'remote') out.push(`${path}.source must be "remote"`);
};

const video: BlockCheck = (out, path, block) => {
  str(out, `${path}.alt_text`, block.alt_text, 2000, { required: true, min: 1 });
  plain(out, `${path}.title`, block.title, 199, true);
  plain(out, `${path}.description`, block.description, 3000);
  str(out, `${path}.video_url`, block.video_url, 3000, { required: true, min: 1 });
  str(out, `${path}.thumbnail_url`, block.thumbnail_url, 3000, { required: true, min: 1 });
  str(out, `${path}.author_name`, block.author_name, 49);
};

const contextActions: BlockCheck = (out, path, block) => {
  const actionIds = new Set<string>();
  const elements = list(out, `${path}.elements`, block.elements, 1, 5) ?? [];
  for (const [i, element] of elements.entries()) {
    checkElement(out, `${path}.elements[${i}]`, element, 'a context_actions block', actionIds);
  }
};

/**
 * Slack's data_visualization block, to the rules in
 * shared/slack-specs/block-kit/data-visualization.md: a title of at most 50
 * characters; a line, bar, area or pie chart; 1 to 6 series (or segments) with
 * unique names; line, bar and area need axis_config.categories and every data
 * point's label among them. The limits seen only in third-party material are
 * held too (at most 2 such blocks a message, 20 categories, labels of 20 characters).
 */
const dataVisualization: BlockCheck = (out, path, block, ctx) => {
  ctx.charts += 1;
  if (ctx.charts > 2) out.push(`${path}: a message takes at most 2 data_visualization blocks`);
  str(out, `${path}.title`, block.title, 50, { required: true, min: 1 });
  const chart = block.chart;
  if (!isObject(chart)) {
    out.push(`${path}.chart is required: an object of type line, bar, area or pie`);
    return;
  }
  const kinds = ['line', 'bar', 'area', 'pie'];
  oneOf(out, `${path}.chart.type`, chart.type, kinds);
  if (!kinds.includes(String(chart.type))) return;
  if (chart.type === 'pie') {
    const segments = list(out, `${path}.chart.segments`, chart.segments, 1, 6) ?? [];
    for (const [i, segment] of segments.entries()) {
      if (!isObject(segment) || typeof segment.value !== 'number')
        out.push(`${path}.chart.segments[${i}] needs a label and a numeric value`);
      else
        str(out, `${path}.chart.segments[${i}].label`, segment.label, 20, {
          required: true,
          min: 1,
        });
    }
    return;
  }
  const axis = chart.axis_config;
  if (!isObject(axis)) {
    out.push(`${path}.chart.axis_config is required for a ${show(chart.type)} chart`);
    return;
  }
  const categories =
    list(out, `${path}.chart.axis_config.categories`, axis.categories, 1, 20) ?? [];
  for (const [i, c] of categories.entries())
    str(out, `${path}.chart.axis_config.categories[${i}]`, c, 20, { required: true, min: 1 });
  str(out, `${path}.chart.axis_config.x_label`, axis.x_label, 50);
  str(out, `${path}.chart.axis_config.y_label`, axis.y_label, 50);
  const names = new Set<string>();
  const series = list(out, `${path}.chart.series`, chart.series, 1, 6) ?? [];
  for (const [i, one] of series.entries()) {
    const at = `${path}.chart.series[${i}]`;
    if (!isObject(one)) {
      out.push(`${at} must be an object with a name and data`);
      continue;
    }
    unique(
      out,
      `${at}.name`,
      str(out, `${at}.name`, one.name, 255, { required: true, min: 1 }),
      names,
      'series names',
    );
    const data = list(out, `${at}.data`, one.data, 0, NO_LIMIT) ?? [];
    for (const [j, point] of data.entries()) {
      if (!isObject(point) || typeof point.value !== 'number' || !Number.isFinite(point.value)) {
        out.push(`${at}.data[${j}] needs a label and a numeric value`);
        continue;
      }
      if (!categories.includes(point.label))
        out.push(`${at}.data[${j}].label ${show(point.label)} is not one of the axis categories`);
    }
  }
};

const BLOCKS = new Map<string, BlockCheck>([
  ['data_visualization', dataVisualization],
  ['section', section],
  ['actions', actions],
  ['context', context],
  ['divider', () => {}],
  ['header', header],
  ['image', imageBlock],
  ['input', input],
  ['rich_text', richText],
  ['markdown', markdown],
  ['file', file],
  ['video', video],
  ['context_actions', contextActions],
]);

// ---- Block Kit: elements -----------------------------------------------------------------------

type ElementCheck = (out: Out, path: string, element: Obj) => void;

type Where =
  | 'a section accessory'
  | 'an actions block'
  | 'an input block'
  | 'a context_actions block';

const SINGLE_MENUS = [
  'static_select',
  'external_select',
  'users_select',
  'conversations_select',
  'channels_select',
];
const MENUS = [...SINGLE_MENUS, ...SINGLE_MENUS.map((menu) => `multi_${menu}`)];
const PICKERS = ['checkboxes', 'radio_buttons', 'datepicker', 'timepicker', ...MENUS];

/** Which elements each place takes, as @slack/types' unions of them say. */
const PLACES: Record<Where, ReadonlySet<string>> = {
  'a section accessory': new Set([...PICKERS, 'button', 'overflow', 'image', 'workflow_button']),
  'an actions block': new Set([
    ...PICKERS,
    'button',
    'overflow',
    'datetimepicker',
    'workflow_button',
    'rich_text_input',
  ]),
  'an input block': new Set([
    ...PICKERS,
    'datetimepicker',
    'email_text_input',
    'file_input',
    'number_input',
    'plain_text_input',
    'rich_text_input',
    'url_text_input',
  ]),
  'a context_actions block': new Set(['feedback_buttons', 'icon_button']),
};

function checkElement(
  out: Out,
  path: string,
  element: unknown,
  where: Where,
  actionIds: Set<string>,
): void {
  if (!isObject(element)) {
    out.push(`${path} must be an element object`);
    return;
  }
  const type = typeof element.type === 'string' ? element.type : '';
  const check = ELEMENTS.get(type);
  if (check === undefined) {
    out.push(`${path}.type ${show(element.type)} is not a Block Kit element type`);
    return;
  }
  if (!PLACES[where].has(type)) out.push(`${path}: a ${type} element cannot go in ${where}`);
  if (type !== 'image') {
    const actionId = str(out, `${path}.action_id`, element.action_id, 255);
    unique(out, `${path}.action_id`, actionId, actionIds, 'action_ids within a block');
  }
  if (element.confirm !== undefined) confirm(out, `${path}.confirm`, element.confirm);
  check(out, path, element);
}

function confirm(out: Out, path: string, value: unknown): void {
  if (!isObject(value)) {
    out.push(`${path} must be a confirmation dialog object`);
    return;
  }
  plain(out, `${path}.title`, value.title, 100);
  text(out, `${path}.text`, value.text, 300, { required: true });
  plain(out, `${path}.confirm`, value.confirm, 30);
  plain(out, `${path}.deny`, value.deny, 30);
  oneOf(out, `${path}.style`, value.style, ['primary', 'danger']);
}

const placeholder = (out: Out, path: string, element: Obj) =>
  plain(out, `${path}.placeholder`, element.placeholder, 150);

const button: ElementCheck = (out, path, element) => {
  plain(out, `${path}.text`, element.text, 75, true);
  str(out, `${path}.value`, element.value, 2000);
  str(out, `${path}.url`, element.url, 3000);
  str(out, `${path}.accessibility_label`, element.accessibility_label, 75);
  oneOf(out, `${path}.style`, element.style, ['primary', 'danger']);
};

const workflowButton: ElementCheck = (out, path, element) => {
  plain(out, `${path}.text`, element.text, 75, true);
  str(out, `${path}.accessibility_label`, element.accessibility_label, 75);
  oneOf(out, `${path}.style`, element.style, ['primary', 'danger']);
};

interface OptionRules {
  /** Radio buttons and checkboxes may use mrkdwn option text; menus take plain_text. */
  mrkdwn?: boolean;
  /** Only overflow options may carry a url. */
  url?: boolean;
}

function option(out: Out, path: string, value: unknown, rules: OptionRules): void {
  if (!isObject(value)) {
    out.push(`${path} must be an option object ({ text, value })`);
    return;
  }
  text(out, `${path}.text`, value.text, 75, { plain: !rules.mrkdwn, required: true });
  str(out, `${path}.value`, value.value, 150, { required: true });
  plain(out, `${path}.description`, value.description, 75);
  if (value.url !== undefined && !rules.url) out.push(`${path}.url is only for overflow menus`);
  str(out, `${path}.url`, value.url, 3000);
}

/** Checks a list of options and returns the well-formed ones; values must be unique. */
function options(
  out: Out,
  path: string,
  value: unknown,
  max: number,
  rules: OptionRules,
  values = new Set<string>(),
): Obj[] {
  const items = list(out, path, value, 1, max) ?? [];
  for (const [i, item] of items.entries()) {
    option(out, `${path}[${i}]`, item, rules);
    const v = isObject(item) && typeof item.value === 'string' ? item.value : undefined;
    unique(out, `${path}[${i}].value`, v, values, 'option values');
  }
  return items.filter(isObject);
}

/** initial_option / initial_options must be among the element's options (matched by value). */
function initialOptions(out: Out, path: string, element: Obj, choices: Obj[], multi: boolean) {
  const key = multi ? 'initial_options' : 'initial_option';
  const picked = multi
    ? (list(out, `${path}.${key}`, element[key], 0, NO_LIMIT, false) ?? [])
    : element[key] === undefined
      ? []
      : [element[key]];
  const values = new Set(choices.map((c) => c.value));
  for (const [i, chosen] of picked.entries()) {
    const at = multi ? `${path}.${key}[${i}]` : `${path}.${key}`;
    if (!isObject(chosen) || !values.has(chosen.value)) {
      const value = isObject(chosen) ? chosen.value : chosen;
      out.push(`${at} is not one of the options (no option has the value ${show(value)})`);
    }
  }
}

/** static_select and multi_static_select: options or option_groups, 100 at most. */
function staticMenu(multi: boolean): ElementCheck {
  return (out, path, element) => {
    placeholder(out, path, element);
    const hasOptions = element.options !== undefined;
    if (hasOptions === (element.option_groups !== undefined)) {
      out.push(`${path} needs either options or option_groups (exactly one of them)`);
    }
    const values = new Set<string>();
    const choices = hasOptions
      ? options(out, `${path}.options`, element.options, 100, {}, values)
      : optionGroups(out, `${path}.option_groups`, element.option_groups, values);
    initialOptions(out, path, element, choices, multi);
    if (multi) int(out, `${path}.max_selected_items`, element.max_selected_items, 1, NO_LIMIT);
  };
}

function optionGroups(out: Out, path: string, value: unknown, values: Set<string>): Obj[] {
  const groups = list(out, path, value, 1, 100, false) ?? [];
  return groups.flatMap((group, i) => {
    if (!isObject(group)) {
      out.push(`${path}[${i}] must be an option group ({ label, options })`);
      return [];
    }
    plain(out, `${path}[${i}].label`, group.label, 75, true);
    return options(out, `${path}[${i}].options`, group.options, 100, {}, values);
  });
}

/** Menus whose options come from elsewhere (Slack's users, conversations, or the app). */
function dynamicMenu(multi: boolean): ElementCheck {
  return (out, path, element) => {
    placeholder(out, path, element);
    if (multi) int(out, `${path}.max_selected_items`, element.max_selected_items, 1, NO_LIMIT);
  };
}

/** radio_buttons (one choice) and checkboxes (many): 10 options, mrkdwn allowed. */
function choiceList(multi: boolean): ElementCheck {
  return (out, path, element) => {
    const choices = options(out, `${path}.options`, element.options, 10, { mrkdwn: true });
    initialOptions(out, path, element, choices, multi);
  };
}

const overflow: ElementCheck = (out, path, element) => {
  options(out, `${path}.options`, element.options, 5, { url: true });
};

const plainTextInput: ElementCheck = (out, path, element) => {
  placeholder(out, path, element);
  const max = int(out, `${path}.max_length`, element.max_length, 1, 3000);
  const min = int(out, `${path}.min_length`, element.min_length, 0, 3000);
  if (min !== undefined && max !== undefined && min > max) {
    out.push(`${path}.min_length ${min} is more than max_length ${max}`);
  }
  // Without a max_length, Slack's own ceiling for typed input (3000) applies.
  str(out, `${path}.initial_value`, element.initial_value, max ?? 3000);
};

const numberInput: ElementCheck = (out, path, element) => {
  placeholder(out, path, element);
  if (typeof element.is_decimal_allowed !== 'boolean') {
    out.push(`${path}.is_decimal_allowed is required (true or false)`);
  }
};

const datepicker: ElementCheck = (out, path, element) => {
  placeholder(out, path, element);
  const date = element.initial_date;
  if (date !== undefined && !isCalendarDate(date)) {
    out.push(`${path}.initial_date must be a date as YYYY-MM-DD, not ${show(date)}`);
  }
};

function isCalendarDate(value: unknown): boolean {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

const timepicker: ElementCheck = (out, path, element) => {
  placeholder(out, path, element);
  const time = element.initial_time;
  if (time !== undefined && (typeof time !== 'string' || !/^([01]\d|2[0-3]):[0-5]\d$/.test(time))) {
    out.push(`${path}.initial_time must be a time as HH:mm, not ${show(time)}`);
  }
};

const datetimepicker: ElementCheck = (out, path, element) => {
  int(out, `${path}.initial_date_time`, element.initial_date_time, 0, Number.MAX_SAFE_INTEGER);
};

function imageElement(out: Out, path: string, image: Obj): void {
  str(out, `${path}.alt_text`, image.alt_text, 2000, { required: true, min: 1 });
  if ((image.image_url === undefined) === (image.slack_file === undefined)) {
    out.push(`${path} needs either image_url or slack_file (exactly one of them)`);
  }
  str(out, `${path}.image_url`, image.image_url, 3000);
  if (image.slack_file !== undefined && !isObject(image.slack_file)) {
    out.push(`${path}.slack_file must be an object ({ url } or { id })`);
  }
}

const fileInput: ElementCheck = (out, path, element) => {
  int(out, `${path}.max_files`, element.max_files, 1, 10);
};

const iconButton: ElementCheck = (out, path, element) => {
  str(out, `${path}.icon`, element.icon, 255, { required: true, min: 1 });
  plain(out, `${path}.text`, element.text, 75, true);
};

const feedbackButtons: ElementCheck = (out, path, element) => {
  for (const key of ['positive_button', 'negative_button']) {
    const half = element[key];
    if (!isObject(half)) {
      out.push(`${path}.${key} is required ({ text, value })`);
      continue;
    }
    plain(out, `${path}.${key}.text`, half.text, 75, true);
    str(out, `${path}.${key}.value`, half.value, 2000, { required: true });
  }
};

const ELEMENTS = new Map<string, ElementCheck>([
  ['button', button],
  ['workflow_button', workflowButton],
  ['static_select', staticMenu(false)],
  ['multi_static_select', staticMenu(true)],
  ...MENUS.filter((m) => !m.endsWith('static_select')).map((m): [string, ElementCheck] => [
    m,
    dynamicMenu(m.startsWith('multi_')),
  ]),
  ['radio_buttons', choiceList(false)],
  ['checkboxes', choiceList(true)],
  ['overflow', overflow],
  ['plain_text_input', plainTextInput],
  ['email_text_input', placeholder],
  ['url_text_input', placeholder],
  ['rich_text_input', placeholder],
  ['number_input', numberInput],
  ['datepicker', datepicker],
  ['timepicker', timepicker],
  ['datetimepicker', datetimepicker],
  ['image', imageElement],
  ['file_input', fileInput],
  ['icon_button', iconButton],
  ['feedback_buttons', feedbackButtons],
]);

// ---- views ---------------------------------------------------------------------------------------

/** Problems with a modal or Home tab view object; paths start at `view`. */
export function checkView(view: unknown): string[] {
  if (!isObject(view)) return ['view must be a view object ({ type, blocks, ... })'];
  if (view.type !== 'modal' && view.type !== 'home') {
    return [`view.type must be modal or home, not ${show(view.type)}`];
  }
  const out: Out = [];
  str(out, 'view.callback_id', view.callback_id, 255);
  str(out, 'view.private_metadata', view.private_metadata, 3000);
  str(out, 'view.external_id', view.external_id, 255);
  if (view.blocks === undefined) out.push('view.blocks is required');
  else checkBlockList(out, 'view.blocks', view.blocks, view.type);
  if (view.type === 'modal') modalFields(out, view);
  return out;
}

function modalFields(out: Out, view: Obj): void {
  plain(out, 'view.title', view.title, 24, true);
  plain(out, 'view.submit', view.submit, 24);
  plain(out, 'view.close', view.close, 24);
  const hasInput =
    Array.isArray(view.blocks) && view.blocks.some((b) => isObject(b) && b.type === 'input');
  if (hasInput && view.submit === undefined) {
    out.push('view.submit is required: the modal has input blocks');
  }
}
