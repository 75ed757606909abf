import { describe, expect, it } from 'vitest';
import { createLogger, withoutPayload } from '../src/logger.js';

describe('the log', () => {
  it.each([
    [
      'Received a message on the WebSocket: {"envelope_id":"1","payload":{"comment":"mine"}}',
      'Received a message on the WebSocket: [payload left out]',
    ],
    [
      'Calling ack() - type: interactive, envelope_id: 1, data: {"response_action":"errors"}',
      'Calling ack() - type: interactive, envelope_id: 1, data: [payload left out]',
    ],
    ['http request body: [{"state":{}}]', 'http request body: [payload left out]'],
    [
      'WebSocket close frame received (code: 1000, reason: )',
      'WebSocket close frame received (code: 1000, reason: )',
    ],
  ])('never writes a payload from the Slack SDKs: %s', (line, kept) => {
    expect(withoutPayload(line)).toBe(kept);
  });

  it('writes the app’s own lines whole and cuts the SDKs’ at every level, sharing one output', () => {
    const lines: string[] = [];
    const app = createLogger('debug', (line) => lines.push(line));
    const sdk = app.forSdk();
    app.info('pulse answered', { pulse: 7, questions: 5 });
    sdk.debug('Sending a WebSocket message:', { envelope_id: 'e', payload: { text: 'hi' } });
    sdk.error('An API error occurred: invalid_auth');
    sdk.setLevel('error' as never);
    sdk.debug('not written');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain('pulse answered {"pulse":7,"questions":5}');
    expect(lines[1]).toContain('Sending a WebSocket message: [payload left out]');
    expect(lines[1]).not.toContain('hi');
    expect(lines[2]).toContain('An API error occurred: invalid_auth');
  });
});
