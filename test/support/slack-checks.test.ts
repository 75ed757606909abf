import { describe, expect, it } from 'vitest';
import {
  checkAck,
  checkBlocks,
  checkCall,
  checkMethodArgs,
  checkView,
  loadMethodSpec,
  type Surface,
  unescapedMrkdwn,
} from './slack-checks.js';

// ---- builders ------------------------------------------------------------------------------

type Obj = Record<string, unknown>;

const x = (n: number) => 'x'.repeat(n);
const plain = (text: string) => ({ type: 'plain_text', text });
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const many = <T>(n: number, make: (i: number) => T): T[] =>
  Array.from({ length: n }, (_, i) => make(i));
const dividers = (n: number) => many(n, () => ({ type: 'divider' }));
const section = (text: string) => ({ type: 'section', text: mrkdwn(text) });
const option = (text: string, value: string) => ({ text: plain(text), value });
const options = (n: number) => many(n, (i) => option(`Option ${i}`, `v${i}`));
const button = (more: Obj = {}) => ({
  type: 'button',
  action_id: 'go',
  text: plain('Go'),
  ...more,
});
const actions = (...elements: Obj[]) => [{ type: 'actions', elements }];
const input = (element: Obj, more: Obj = {}) => [
  { type: 'input', label: plain('Label'), element: { action_id: 'value', ...element }, ...more },
];
const modal = (more: Obj = {}) => ({ type: 'modal', title: plain('Pulse'), blocks: [], ...more });
const inModal = (blocks: unknown[]) => checkView(modal({ blocks, submit: plain('Submit') }));
const confirm = (more: Obj = {}) => ({
  title: plain('Sure?'),
  text: plain('This cannot be undone.'),
  confirm: plain('Yes'),
  deny: plain('No'),
  ...more,
});

/** The message the app posts: a section, a button, a context line. */
const pulseBlocks = [
  section("*This week's alignment pulse*\n5 questions, under a minute."),
  {
    type: 'actions',
    elements: [button({ action_id: 'pulse_answer', style: 'primary', value: '12' })],
  },
  { type: 'context', elements: [mrkdwn('Open until Friday. No answers yet.')] },
];

/** A line chart as the digest sends it: two weeks, one of them with no point. */
const series = (name: string, labels = ['W41', 'W43']) => ({
  name,
  data: labels.map((label, i) => ({ label, value: 50 + i })),
});
const lineChart = (more: Obj = {}) =>
  chart({
    chart: {
      type: 'line',
      series: [series('Index'), series('Tech debt · Product')],
      axis_config: { categories: ['W41', 'W42', 'W43'], x_label: 'Week of', y_label: 'Score' },
      ...more,
    },
  });
const chart = (more: Obj = {}): Obj => ({
  type: 'data_visualization',
  title: 'Index and the tech debt gap, 12 weeks',
  chart: {
    type: 'line',
    series: [series('Index')],
    axis_config: { categories: ['W41', 'W42', 'W43'] },
  },
  ...more,
});

// ---- method arguments ----------------------------------------------------------------------

describe('checkMethodArgs', () => {
  const cases: [string, string, Obj, { tokenInHeader?: boolean }, RegExp | null][] = [
    [
      'a form-encoded chat.postMessage (all strings)',
      'chat.postMessage',
      {
        token: 'xoxb-1',
        channel: 'C1',
        text: 'Hello',
        blocks: JSON.stringify(pulseBlocks),
        unfurl_links: 'false',
        reply_broadcast: '0',
        mrkdwn: '1',
      },
      {},
      null,
    ],
    [
      'a JSON chat.postMessage (typed values)',
      'chat.postMessage',
      { channel: 'C1', text: 'Hello', blocks: pulseBlocks, unfurl_links: false, mrkdwn: true },
      { tokenInHeader: true },
      null,
    ],
    [
      'null where the spec allows it',
      'chat.postMessage',
      { token: 't', channel: 'C1', thread_ts: null },
      {},
      null,
    ],
    [
      'a number where a string is wanted',
      'chat.update',
      { token: 't', channel: 'C1', ts: 1712.5 },
      {},
      null,
    ],
    [
      'a numeric string for a number',
      'conversations.members',
      { token: 't', channel: 'C1', limit: '10' },
      {},
      null,
    ],
    [
      'an integer',
      'files.getUploadURLExternal',
      { token: 't', filename: 'a.csv', length: 12 },
      {},
      null,
    ],
    [
      'an argument without a type (user)',
      'chat.postEphemeral',
      { token: 't', channel: 'C1', user: 'U1' },
      {},
      null,
    ],
    ['auth.test with the token in the header', 'auth.test', {}, { tokenInHeader: true }, null],
    ['auth.test without any token', 'auth.test', {}, {}, /missing required argument\(s\): token/],
    [
      'a missing required argument',
      'chat.postMessage',
      { token: 't', text: 'x' },
      {},
      /missing.*channel/,
    ],
    [
      'a required argument sent as null',
      'users.info',
      { token: 't', user: null },
      {},
      /missing.*user/,
    ],
    ['two missing required arguments', 'chat.update', { token: 't' }, {}, /missing.*ts, channel/],
    [
      'an unknown argument (a typo)',
      'chat.postMessage',
      { token: 't', channel: 'C1', chanel: 'C1' },
      {},
      /unknown argument "chanel"/,
    ],
    [
      'a boolean that is not one',
      'chat.postMessage',
      { token: 't', channel: 'C1', unfurl_links: 'yes' },
      {},
      /unfurl_links must be boolean/,
    ],
    [
      'a string that is not one',
      'chat.postMessage',
      { token: 't', channel: true },
      {},
      /channel must be string/,
    ],
    [
      'a number that is not one',
      'conversations.members',
      { token: 't', channel: 'C1', limit: 'ten' },
      {},
      /limit must be number/,
    ],
    [
      'an integer that is a fraction',
      'chat.scheduleMessage',
      { token: 't', channel: 'C1', post_at: '17.5' },
      {},
      /post_at must be integer/,
    ],
    [
      'null where the spec does not allow it',
      'chat.postMessage',
      { token: 't', channel: 'C1', unfurl_links: null },
      {},
      /unfurl_links must not be null/,
    ],
    [
      'blocks that are not JSON',
      'chat.postMessage',
      { token: 't', channel: 'C1', blocks: '[{' },
      {},
      /blocks must be JSON text/,
    ],
    [
      'a value outside the spec enum',
      'chat.scheduleMessage',
      { token: 't', channel: 'C1', post_at: 1, parse: 'some' },
      {},
      /parse must be one of "none", "full"/,
    ],
    [
      'a number under the spec minimum',
      'files.getUploadURLExternal',
      { token: 't', filename: 'a', length: '0' },
      {},
      /length is 0; the minimum is 1/,
    ],
    [
      'an array that is not one',
      'chat.update',
      { token: 't', channel: 'C', ts: '1', file_ids: 'F1' },
      {},
      /file_ids must be array/,
    ],
    [
      'a file without its id',
      'files.completeUploadExternal',
      { token: 't', files: '[{"title":"T"}]' },
      {},
      /files\[0\] is missing id/,
    ],
    [
      'a file with an unknown field',
      'files.completeUploadExternal',
      { token: 't', files: [{ id: 'F1', name: 'n' }] },
      {},
      /files\[0\]\.name is not a field/,
    ],
    [
      'an unknown method',
      'chat.postMesage',
      { token: 't' },
      {},
      /chat\.postMesage is not a Slack Web API method/,
    ],
  ];
  it.each(cases)('%s', (_name, method, args, opts, expected) => {
    const problems = checkMethodArgs(method, args, opts);
    if (expected === null) expect(problems).toEqual([]);
    else expect(problems).toEqual([expect.stringMatching(expected)]);
  });
});

describe('loadMethodSpec', () => {
  it('reads the vendored spec once and keeps it', () => {
    const spec = loadMethodSpec('chat.postMessage');
    expect(spec?.args.required).toEqual(['token', 'channel']);
    expect(spec?.errors).toHaveProperty('channel_not_found');
    expect(loadMethodSpec('chat.postMessage')).toBe(spec);
  });

  it.each(['no.suchMethod', 'methods', '../methods/chat.postMessage', ''])(
    'knows no method %j',
    (method) => expect(loadMethodSpec(method)).toBeUndefined(),
  );
});

// ---- whole calls ---------------------------------------------------------------------------

describe('checkCall', () => {
  const post = (args: Obj) =>
    checkCall('chat.postMessage', { channel: 'C1', ...args }, { tokenInHeader: true });
  const view = (method: string, v: Obj, args: Obj = { trigger_id: '1.2.3' }) =>
    checkCall(method, { view: JSON.stringify(v), ...args }, { tokenInHeader: true });

  const cases: [string, () => string[], RegExp | null][] = [
    [
      'a message with text and blocks',
      () => post({ text: 'Hi', blocks: JSON.stringify(pulseBlocks) }),
      null,
    ],
    ['a message with text only', () => post({ text: 'Hi' }), null],
    ['40000 characters of text', () => post({ text: x(40000) }), null],
    [
      '40001 characters of text',
      () => post({ text: x(40001) }),
      /text is 40001 characters; the limit is 40000/,
    ],
    [
      'blocks without text',
      () => post({ blocks: pulseBlocks }),
      /text is required .*notification.*fallback/,
    ],
    ['blocks with blank text', () => post({ text: ' ', blocks: pulseBlocks }), /text is required/],
    [
      '51 blocks on a message',
      () => post({ text: 'Hi', blocks: dividers(51) }),
      /blocks has 51 blocks; a message takes at most 50/,
    ],
    [
      'a bad block in a message',
      () => post({ text: 'Hi', blocks: [{ type: 'sectoin' }] }),
      /blocks\[0\]\.type "sectoin"/,
    ],
    ['nothing to post', () => post({}), /no_text/],
    [
      'markdown_text with text',
      () => post({ text: 'a', markdown_text: '**a**' }),
      /markdown_text_conflict/,
    ],
    ['markdown_text alone', () => post({ markdown_text: '**a**' }), null],
    [
      'chat.update with blocks',
      () =>
        checkCall('chat.update', {
          token: 't',
          channel: 'C1',
          ts: '1.2',
          text: 'Hi',
          blocks: JSON.stringify(pulseBlocks),
        }),
      null,
    ],
    [
      'chat.postEphemeral without text',
      () =>
        checkCall('chat.postEphemeral', { token: 't', channel: 'C1', user: 'U1', blocks: '[]' }),
      /text is required/,
    ],
    [
      'chat.scheduleMessage with a bad button',
      () =>
        checkCall('chat.scheduleMessage', {
          token: 't',
          channel: 'C1',
          post_at: '1',
          text: 'Hi',
          blocks: JSON.stringify(actions(button({ style: 'default' }))),
        }),
      /blocks\[0\]\.elements\[0\]\.style must be primary or danger/,
    ],
    ['views.open with a modal', () => view('views.open', modal()), null],
    [
      'views.open without a trigger',
      () => view('views.open', modal(), {}),
      /needs one of trigger_id, interactivity_pointer/,
    ],
    [
      'views.open with a home view',
      () => view('views.open', { type: 'home', blocks: [] }),
      /views\.open takes a modal view, not "home"/,
    ],
    [
      'views.push with a bad title',
      () => view('views.push', modal({ title: plain(x(25)) })),
      /view\.title\.text is 25 characters/,
    ],
    [
      'views.publish with a home view',
      () => view('views.publish', { type: 'home', blocks: [] }, { user_id: 'U1' }),
      null,
    ],
    [
      'views.publish with a modal',
      () => view('views.publish', modal(), { user_id: 'U1' }),
      /views\.publish takes a home view, not "modal"/,
    ],
    [
      'views.update by view_id (JSON body)',
      () => checkCall('views.update', { view_id: 'V1', view: modal() }, { tokenInHeader: true }),
      null,
    ],
    [
      'views.update without view_id or external_id',
      () => view('views.update', modal(), {}),
      /needs one of view_id, external_id/,
    ],
    [
      'views.update with a view that is not JSON',
      () => checkCall('views.update', { token: 't', view_id: 'V1', view: '{' }),
      /view must be a view object/,
    ],
    [
      'files.completeUploadExternal with a file',
      () =>
        checkCall('files.completeUploadExternal', {
          token: 't',
          files: '[{"id":"F1","title":"Digest"}]',
          channel_id: 'C1',
          initial_comment: 'Here',
        }),
      null,
    ],
    [
      'files.completeUploadExternal with no file',
      () => checkCall('files.completeUploadExternal', { token: 't', files: '[]' }),
      /files must list at least one/,
    ],
    [
      'files.completeUploadExternal with bad blocks',
      () =>
        checkCall('files.completeUploadExternal', {
          token: 't',
          files: [{ id: 'F1' }],
          blocks: '[{"type":"header","text":{"type":"mrkdwn","text":"x"}}]',
        }),
      /blocks\[0\]\.text must be plain_text/,
    ],
    [
      'conversations.open with users',
      () => checkCall('conversations.open', { users: 'U1' }, { tokenInHeader: true }),
      null,
    ],
    [
      'an unknown method',
      () => checkCall('reactions.ad', { token: 't' }),
      /not a Slack Web API method/,
    ],
  ];
  it.each(cases)('%s', (_name, check, expected) => {
    const problems = check();
    if (expected === null) expect(problems).toEqual([]);
    else expect(problems).toEqual([expect.stringMatching(expected)]);
  });
});

// ---- Block Kit limits: just at the limit passes, one over fails --------------------------------

const msg = (blocks: unknown[]) => checkBlocks(blocks, 'message');
const sectionWith = (more: Obj) => msg([{ type: 'section', text: mrkdwn('Hi'), ...more }]);
const selectWith = (more: Obj) =>
  inModal(
    input({ type: 'static_select', placeholder: plain('Pick'), options: options(3), ...more }),
  );
const textInput = (more: Obj) => inModal(input({ type: 'plain_text_input', ...more }));

/** [what, the limit, a check of a surface holding `n` of it, the problem over the limit]. */
const limits: [string, number, (n: number) => string[], RegExp][] = [
  [
    'blocks on a message',
    50,
    (n) => msg(dividers(n)),
    /^blocks has 51 blocks; a message takes at most 50$/,
  ],
  [
    'blocks on a modal',
    100,
    (n) => checkView(modal({ blocks: dividers(n) })),
    /view\.blocks has 101 blocks; a modal/,
  ],
  [
    'blocks on a home tab',
    100,
    (n) => checkView({ type: 'home', blocks: dividers(n) }),
    /a home takes at most 100/,
  ],
  [
    'section text',
    3000,
    (n) => msg([section(x(n))]),
    /^blocks\[0\]\.text\.text is 3001 characters; the limit is 3000$/,
  ],
  [
    'section text, counted in code points',
    3000,
    (n) => msg([section('😀'.repeat(n))]),
    /blocks\[0\]\.text\.text is 3001/,
  ],
  [
    'section fields',
    10,
    (n) => sectionWith({ fields: many(n, () => mrkdwn('f')) }),
    /blocks\[0\]\.fields has 11 items/,
  ],
  [
    'a section field',
    2000,
    (n) => sectionWith({ fields: [plain(x(n))] }),
    /blocks\[0\]\.fields\[0\]\.text is 2001/,
  ],
  [
    'header text',
    150,
    (n) => msg([{ type: 'header', text: plain(x(n)) }]),
    /blocks\[0\]\.text\.text is 151/,
  ],
  [
    'context elements',
    10,
    (n) => msg([{ type: 'context', elements: many(n, () => mrkdwn('c')) }]),
    /blocks\[0\]\.elements has 11 items/,
  ],
  [
    'actions elements',
    25,
    (n) => msg(actions(...many(n, (i) => button({ action_id: `a${i}` })))),
    /blocks\[0\]\.elements has 26 items/,
  ],
  [
    'block_id',
    255,
    (n) => msg([{ type: 'divider', block_id: x(n) }]),
    /blocks\[0\]\.block_id is 256/,
  ],
  [
    'action_id',
    255,
    (n) => msg(actions(button({ action_id: x(n) }))),
    /elements\[0\]\.action_id is 256/,
  ],
  [
    'image_url',
    3000,
    (n) => msg([{ type: 'image', image_url: `https://e.x/${x(n - 12)}`, alt_text: 'a' }]),
    /blocks\[0\]\.image_url is 3001/,
  ],
  [
    'image alt_text',
    2000,
    (n) => msg([{ type: 'image', image_url: 'https://e.x/a.png', alt_text: x(n) }]),
    /blocks\[0\]\.alt_text is 2001/,
  ],
  [
    'input label',
    2000,
    (n) => inModal([{ type: 'input', label: plain(x(n)), element: { type: 'plain_text_input' } }]),
    /blocks\[0\]\.label\.text is 2001/,
  ],
  [
    'input hint',
    2000,
    (n) => inModal(input({ type: 'plain_text_input' }, { hint: plain(x(n)) })),
    /blocks\[0\]\.hint\.text is 2001/,
  ],
  [
    'button text',
    75,
    (n) => msg(actions(button({ text: plain(x(n)) }))),
    /^blocks\[0\]\.elements\[0\]\.text\.text is 76 characters; the limit is 75$/,
  ],
  [
    'button value',
    2000,
    (n) => msg(actions(button({ value: x(n) }))),
    /elements\[0\]\.value is 2001/,
  ],
  ['button url', 3000, (n) => msg(actions(button({ url: x(n) }))), /elements\[0\]\.url is 3001/],
  [
    'static_select options',
    100,
    (n) => selectWith({ options: options(n) }),
    /element\.options has 101 items/,
  ],
  [
    'static_select option text',
    75,
    (n) => selectWith({ options: [option(x(n), 'v')] }),
    /options\[0\]\.text\.text is 76/,
  ],
  [
    'static_select option value',
    150,
    (n) => selectWith({ options: [option('a', x(n))] }),
    /options\[0\]\.value is 151/,
  ],
  [
    'static_select placeholder',
    150,
    (n) => selectWith({ placeholder: plain(x(n)) }),
    /element\.placeholder\.text is 151/,
  ],
  [
    'option_groups',
    100,
    (n) =>
      selectWith({
        options: undefined,
        option_groups: many(n, (i) => ({ label: plain('G'), options: [option('a', `g${i}`)] })),
      }),
    /option_groups has 101 items/,
  ],
  [
    'radio_buttons options',
    10,
    (n) => inModal(input({ type: 'radio_buttons', options: options(n) })),
    /element\.options has 11 items/,
  ],
  [
    'checkboxes options',
    10,
    (n) => inModal(input({ type: 'checkboxes', options: options(n) })),
    /element\.options has 11 items/,
  ],
  [
    'radio option text (mrkdwn)',
    75,
    (n) => inModal(input({ type: 'radio_buttons', options: [{ text: mrkdwn(x(n)), value: 'v' }] })),
    /options\[0\]\.text\.text is 76/,
  ],
  [
    'overflow options',
    5,
    (n) => msg(actions({ type: 'overflow', action_id: 'o', options: options(n) })),
    /elements\[0\]\.options has 6 items/,
  ],
  [
    'users_select placeholder',
    150,
    (n) => inModal(input({ type: 'users_select', placeholder: plain(x(n)) })),
    /placeholder\.text is 151/,
  ],
  [
    'plain_text_input max_length',
    3000,
    (n) => textInput({ max_length: n }),
    /max_length is 3001; the limit is 3000/,
  ],
  [
    'plain_text_input min_length',
    3000,
    (n) => textInput({ min_length: n }),
    /min_length is 3001; the limit is 3000/,
  ],
  [
    'plain_text_input initial_value',
    20,
    (n) => textInput({ max_length: 20, initial_value: x(n) }),
    /initial_value is 21 characters; the limit is 20/,
  ],
  [
    'plain_text_input placeholder',
    150,
    (n) => textInput({ placeholder: plain(x(n)) }),
    /placeholder\.text is 151/,
  ],
  [
    'confirm title',
    100,
    (n) => msg(actions(button({ confirm: confirm({ title: plain(x(n)) }) }))),
    /confirm\.title\.text is 101/,
  ],
  [
    'confirm text',
    300,
    (n) => msg(actions(button({ confirm: confirm({ text: mrkdwn(x(n)) }) }))),
    /confirm\.text\.text is 301/,
  ],
  [
    'confirm button',
    30,
    (n) => msg(actions(button({ confirm: confirm({ confirm: plain(x(n)) }) }))),
    /confirm\.confirm\.text is 31/,
  ],
  [
    'confirm deny',
    30,
    (n) => msg(actions(button({ confirm: confirm({ deny: plain(x(n)) }) }))),
    /confirm\.deny\.text is 31/,
  ],
  [
    'markdown blocks on a message',
    12000,
    (n) =>
      msg([
        { type: 'markdown', text: x(n - 2) },
        { type: 'markdown', text: 'ab' },
      ]),
    /markdown blocks hold 12001 characters/,
  ],
  [
    'modal title',
    24,
    (n) => checkView(modal({ title: plain(x(n)) })),
    /^view\.title\.text is 25 characters; the limit is 24$/,
  ],
  [
    'modal submit',
    24,
    (n) => checkView(modal({ submit: plain(x(n)) })),
    /view\.submit\.text is 25/,
  ],
  ['modal close', 24, (n) => checkView(modal({ close: plain(x(n)) })), /view\.close\.text is 25/],
  [
    'modal callback_id',
    255,
    (n) => checkView(modal({ callback_id: x(n) })),
    /view\.callback_id is 256/,
  ],
  [
    'modal private_metadata',
    3000,
    (n) => checkView(modal({ private_metadata: x(n) })),
    /view\.private_metadata is 3001/,
  ],
  [
    'modal external_id',
    255,
    (n) => checkView(modal({ external_id: x(n) })),
    /view\.external_id is 256/,
  ],
  [
    'home private_metadata',
    3000,
    (n) => checkView({ type: 'home', blocks: [], private_metadata: x(n) }),
    /view\.private_metadata is 3001/,
  ],
  [
    'home callback_id',
    255,
    (n) => checkView({ type: 'home', blocks: [], callback_id: x(n) }),
    /view\.callback_id is 256/,
  ],
];

describe('Block Kit limits', () => {
  it.each(limits)('%s: %i passes', (_what, limit, check) => {
    expect(check(limit)).toEqual([]);
  });
  it.each(limits)('%s: one over %i fails', (_what, limit, check, expected) => {
    expect(check(limit + 1)).toEqual([expect.stringMatching(expected)]);
  });
});

// ---- Block Kit rules ---------------------------------------------------------------------------

describe('Block Kit rules', () => {
  const cases: [string, () => string[], RegExp | null][] = [
    ['the pulse message', () => msg(pulseBlocks), null],
    [
      'a modal with every input the app may use',
      () =>
        inModal([
          ...input({
            type: 'radio_buttons',
            options: options(5),
            initial_option: option('Option 3', 'v3'),
          }),
          {
            ...input({
              type: 'static_select',
              options: options(4),
              initial_option: option('Option 1', 'v1'),
            })[0],
            block_id: 'b',
          },
          {
            ...input({
              type: 'checkboxes',
              options: options(3),
              initial_options: [option('Option 0', 'v0')],
            })[0],
            block_id: 'c',
          },
          {
            ...input({
              type: 'plain_text_input',
              multiline: true,
              max_length: 2000,
              initial_value: 'Hi',
            })[0],
            block_id: 'd',
            optional: true,
          },
          { ...input({ type: 'datepicker', initial_date: '2024-02-29' })[0], block_id: 'e' },
          { ...input({ type: 'timepicker', initial_time: '09:30' })[0], block_id: 'f' },
          {
            type: 'context',
            elements: [
              mrkdwn('Private.'),
              { type: 'image', image_url: 'https://e.x/i.png', alt_text: 'i' },
            ],
          },
          {
            type: 'section',
            text: mrkdwn('More'),
            accessory: { type: 'overflow', action_id: 'more', options: options(2) },
          },
        ]),
      null,
    ],
    [
      'blocks that are not an array',
      () => checkBlocks({ type: 'divider' }, 'message'),
      /^blocks must be an array of blocks$/,
    ],
    [
      'a block that is not an object',
      () => msg(['divider']),
      /^blocks\[0\] must be a block object$/,
    ],
    [
      'an unknown block type',
      () => msg([{ type: 'table' }]),
      /blocks\[0\]\.type "table" is not a Block Kit block type/,
    ],
    [
      'a block without a type',
      () => msg([{ text: mrkdwn('x') }]),
      /blocks\[0\]\.type undefined is not/,
    ],
    [
      'an unknown element type',
      () => msg(actions({ type: 'buton', action_id: 'a' })),
      /elements\[0\]\.type "buton" is not a Block Kit element type/,
    ],
    [
      'a repeated block_id',
      () =>
        msg([
          { type: 'divider', block_id: 'a' },
          { type: 'divider', block_id: 'a' },
        ]),
      /blocks\[1\]\.block_id "a" is used twice/,
    ],
    [
      'a repeated action_id in a block',
      () => msg(actions(button(), button())),
      /elements\[1\]\.action_id "go" is used twice/,
    ],
    [
      'the same action_id in two blocks',
      () => msg([...actions(button()), ...actions(button())]),
      null,
    ],
    [
      'a button style that does not exist',
      () => msg(actions(button({ style: 'secondary' }))),
      /style must be primary or danger, not "secondary"/,
    ],
    [
      'a button without text',
      () => msg(actions({ type: 'button', action_id: 'a' })),
      /elements\[0\]\.text is required/,
    ],
    [
      'a button with mrkdwn text',
      () => msg(actions(button({ text: mrkdwn('Go') }))),
      /elements\[0\]\.text must be plain_text/,
    ],
    [
      'a section without text or fields',
      () => msg([{ type: 'section' }]),
      /blocks\[0\]: a section needs text or fields/,
    ],
    [
      'an empty text object',
      () => msg([section('')]),
      /blocks\[0\]\.text\.text is 0 characters; at least 1 needed/,
    ],
    [
      'a text object of an unknown type',
      () => msg([{ type: 'section', text: { type: 'markdown', text: 'x' } }]),
      /text\.type must be plain_text or mrkdwn/,
    ],
    [
      'a header in mrkdwn',
      () => msg([{ type: 'header', text: mrkdwn('x') }]),
      /blocks\[0\]\.text must be plain_text/,
    ],
    [
      'an empty context block',
      () => msg([{ type: 'context', elements: [] }]),
      /elements has 0 items; at least 1/,
    ],
    [
      'a button in a context block',
      () => msg([{ type: 'context', elements: [button()] }]),
      /only image elements and text objects/,
    ],
    [
      'an empty actions block',
      () => msg([{ type: 'actions', elements: [] }]),
      /elements has 0 items; at least 1/,
    ],
    [
      'a text input in an actions block',
      () => msg(actions({ type: 'plain_text_input', action_id: 'a' })),
      /a plain_text_input element cannot go in an actions block/,
    ],
    [
      'a button in an input block',
      () => inModal(input(button())),
      /a button element cannot go in an input block/,
    ],
    [
      'an input block without an element',
      () => inModal([{ type: 'input', label: plain('L') }]),
      /blocks\[0\]\.element is required/,
    ],
    [
      'an input block with elements',
      () => inModal([{ type: 'input', label: plain('L'), elements: [button()] }]),
      /exactly one element/,
    ],
    [
      'an input block without a label',
      () => inModal([{ type: 'input', element: { type: 'plain_text_input' } }]),
      /blocks\[0\]\.label is required/,
    ],
    [
      'an image with neither url nor file',
      () => msg([{ type: 'image', alt_text: 'a' }]),
      /needs either image_url or slack_file/,
    ],
    [
      'a static_select without options',
      () => selectWith({ options: undefined }),
      /needs either options or option_groups/,
    ],
    [
      'an initial_option not among the options',
      () => selectWith({ initial_option: option('Option 9', 'v9') }),
      /initial_option is not one of the options \(no option has the value "v9"\)/,
    ],
    [
      'initial_options not among the checkboxes',
      () =>
        inModal(
          input({
            type: 'checkboxes',
            options: options(2),
            initial_options: [option('x', 'nope')],
          }),
        ),
      /initial_options\[0\] is not one of the options/,
    ],
    [
      'a radio initial_option not among the options',
      () =>
        inModal(
          input({ type: 'radio_buttons', options: options(2), initial_option: option('x', 'v7') }),
        ),
      /initial_option is not one of/,
    ],
    [
      'repeated option values',
      () => selectWith({ options: [option('a', 'v'), option('b', 'v')] }),
      /options\[1\]\.value "v" is used twice/,
    ],
    [
      'an option in mrkdwn in a select',
      () => selectWith({ options: [{ text: mrkdwn('a'), value: 'a' }] }),
      /options\[0\]\.text must be plain_text/,
    ],
    [
      'an option without a value',
      () => selectWith({ options: [{ text: plain('a') }] }),
      /options\[0\]\.value is required/,
    ],
    [
      'an overflow without options',
      () => msg(actions({ type: 'overflow', action_id: 'o', options: [] })),
      /options has 0 items; at least 1/,
    ],
    [
      'min_length over max_length',
      () => textInput({ min_length: 10, max_length: 5 }),
      /min_length 10 is more than max_length 5/,
    ],
    [
      'an impossible initial_date',
      () => inModal(input({ type: 'datepicker', initial_date: '2024-02-30' })),
      /initial_date must be a date as YYYY-MM-DD/,
    ],
    [
      'a slashed initial_date',
      () => inModal(input({ type: 'datepicker', initial_date: '2024/01/01' })),
      /initial_date must be a date/,
    ],
    [
      'an initial_time past midnight',
      () => inModal(input({ type: 'timepicker', initial_time: '24:00' })),
      /initial_time must be a time as HH:mm/,
    ],
    [
      'a number_input without is_decimal_allowed',
      () => inModal(input({ type: 'number_input' })),
      /is_decimal_allowed is required/,
    ],
    [
      'a confirm dialog without text',
      () => msg(actions(button({ confirm: { title: plain('Sure?') } }))),
      /confirm\.text is required/,
    ],
    [
      'a markdown block in a modal',
      () => inModal([{ type: 'markdown', text: 'x' }]),
      /a markdown block can only be used in messages/,
    ],
    ['a line chart with a missing week', () => msg([chart()]), null],
    [
      'a pie chart',
      () => msg([chart({ chart: { type: 'pie', segments: [{ label: 'a', value: 1 }] } })]),
      null,
    ],
    ['a chart title over 50 characters', () => msg([chart({ title: x(51) })]), /title .*50/],
    ['a chart without a title', () => msg([chart({ title: undefined })]), /title is required/],
    [
      'seven series',
      () => msg([lineChart({ series: many(7, (i) => series(`S${i}`)) })]),
      /series has 7 items; the limit is 6/,
    ],
    ['no series', () => msg([lineChart({ series: [] })]), /series has 0 items; at least 1/],
    [
      'two series of one name',
      () => msg([lineChart({ series: [series('Index'), series('Index')] })]),
      /series names/,
    ],
    [
      'a point whose label is not a category',
      () => msg([lineChart({ series: [series('Index', ['W52'])] })]),
      /"W52" is not one of the axis categories/,
    ],
    [
      'a point without a number',
      () =>
        msg([lineChart({ series: [{ name: 'Index', data: [{ label: 'W41', value: 'high' }] }] })]),
      /needs a label and a numeric value/,
    ],
    [
      'a line chart without axis_config',
      () => msg([chart({ chart: { type: 'line', series: [series('Index')] } })]),
      /axis_config is required/,
    ],
    [
      '21 categories',
      () => msg([lineChart({ axis_config: { categories: many(21, (i) => `W${41 + i}`) } })]),
      /categories has 21 items; the limit is 20/,
    ],
    [
      'a category over 20 characters',
      () => msg([lineChart({ axis_config: { categories: ['W41', x(21), 'W43'] } })]),
      /categories\[1\] .*20/,
    ],
    ['a scatter chart', () => msg([chart({ chart: { type: 'scatter' } })]), /chart\.type/],
    [
      'three charts in one message',
      () => msg([chart(), chart(), chart()]),
      /at most 2 data_visualization blocks/,
    ],
    [
      'a chart in a modal',
      () => inModal([chart()]),
      /a data_visualization block can only be used in messages/,
    ],
  ];
  it.each(cases)('%s', (_name, check, expected) => {
    const problems = check();
    if (expected === null) expect(problems).toEqual([]);
    else expect(problems).toEqual([expect.stringMatching(expected)]);
  });

  it.each<[Surface, number]>([
    ['message', 50],
    ['modal', 100],
    ['home', 100],
  ])('takes %s blocks up to %i', (surface, limit) => {
    expect(checkBlocks(dividers(limit), surface)).toEqual([]);
    expect(checkBlocks(dividers(limit + 1), surface)).toHaveLength(1);
  });
});

describe('checkView', () => {
  const cases: [string, unknown, RegExp | null][] = [
    ['a modal', modal({ submit: plain('Submit'), close: plain('Cancel'), callback_id: 'c' }), null],
    ['a home view', { type: 'home', blocks: [section('Hi')] }, null],
    ['not an object', '{"type":"modal"}', /^view must be a view object/],
    ['an unknown type', { type: 'workflow_step', blocks: [] }, /view\.type must be modal or home/],
    ['a modal without a title', { type: 'modal', blocks: [] }, /view\.title is required/],
    [
      'a modal with a mrkdwn title',
      modal({ title: mrkdwn('Pulse') }),
      /view\.title must be plain_text/,
    ],
    ['a modal without blocks', { type: 'modal', title: plain('P') }, /view\.blocks is required/],
    [
      'a modal with inputs and no submit',
      modal({ blocks: input({ type: 'plain_text_input' }) }),
      /view\.submit is required: the modal has input blocks/,
    ],
    [
      'a bad block in a modal',
      modal({ blocks: [{ type: 'header', text: plain('') }] }),
      /view\.blocks\[0\]\.text\.text is 0 characters/,
    ],
  ];
  it.each(cases)('%s', (_name, view, expected) => {
    const problems = checkView(view);
    if (expected === null) expect(problems).toEqual([]);
    else expect(problems).toEqual([expect.stringMatching(expected)]);
  });
});

describe('unescapedMrkdwn: every & < > escaped outside Slack’s own syntax', () => {
  it.each([
    ['`/alignment role <discipline>`', 2],
    ['Tom & Jerry', 1],
    ['5 > 3', 1],
    ['Shh <!channel>', 2],
    ['`/alignment role &lt;discipline&gt;` &amp; more', 0],
    ['<@U0ABC12> and <#C0LEADS> on <!date^1796802311^{date_short_pretty} at {time}|Wed 9 Dec>', 0],
    ['<https://example.com|the docs> or <mailto:a@b.co>', 0],
    ['> a quote\n> on two lines', 0],
  ])('%s: %i', (text, problems) => {
    expect(unescapedMrkdwn(text)).toHaveLength(problems);
  });

  it('holds a section’s mrkdwn, a message’s text and a command’s ack to it, not plain text', () => {
    const section = (type: string, text: string) => [{ type: 'section', text: { type, text } }];
    expect(checkBlocks(section('mrkdwn', 'role <discipline>'), 'message')).toEqual([
      expect.stringContaining('an unescaped "<"'),
      expect.stringContaining('an unescaped ">"'),
    ]);
    expect(checkBlocks(section('plain_text', 'role <discipline>'), 'message')).toEqual([]);
    expect(checkAck({ response_type: 'ephemeral', text: 'a & b' })).toEqual([
      expect.stringContaining('an unescaped "&"'),
    ]);
    expect(checkAck({ response_action: 'errors', errors: { b: 'a & b' } })).toEqual([]);
  });
});
