import { ErrorCode } from '@slack/web-api';

/**
 * The reason a Web API call failed, as Slack names it (`not_in_channel`,
 * `ratelimited`, …), or `request_failed` / `http_<status>` when Slack was not reached.
 */
export function slackErrorCode(error: unknown): string {
  const e = error as { code?: string; data?: { error?: string }; statusCode?: number };
  if (e.code === ErrorCode.PlatformError) return e.data?.error ?? 'unknown_error';
  if (e.code === ErrorCode.RateLimitedError) return 'ratelimited';
  if (e.code === ErrorCode.HTTPError) return `http_${e.statusCode ?? 'error'}`;
  if (e.code === ErrorCode.RequestError) return 'request_failed';
  return 'unknown_error';
}
