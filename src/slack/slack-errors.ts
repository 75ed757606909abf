import { ErrorCode } from '@slack/web-api';
import { AppError } from '../errors.js';

/**
 * The reason a Web API call failed, as Slack names it (`not_in_channel`,
 * `ratelimited`, …), or `request_failed` / `http_<status>` when Slack was not reached,
 * or the app's own code when no call could be made (`not_installed`, `token_refresh_failed`).
 */
export function slackErrorCode(error: unknown): string {
  // The app's own reasons a call could not be made: no installation, no usable token.
  if (error instanceof AppError) return error.code;
  const e = error as { code?: string; data?: { error?: string }; statusCode?: number };
  if (e.code === ErrorCode.PlatformError) return e.data?.error ?? 'unknown_error';
  if (e.code === ErrorCode.RateLimitedError) return 'ratelimited';
  if (e.code === ErrorCode.HTTPError) return `http_${e.statusCode ?? 'error'}`;
  if (e.code === ErrorCode.RequestError) return 'request_failed';
  return 'unknown_error';
}
