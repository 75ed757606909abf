/**
 * The pages a person sees around "Add to Slack" (OAuth mode): the install page,
 * and what Slack's redirect ends on. Plain HTML that reads on a phone; every
 * text from outside (a workspace's name) escaped.
 */

const escapeHtml = (text: string) =>
  text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;color:#1d1c1d}
a.button{display:inline-block;background:#4a154b;color:#fff;padding:.7rem 1.2rem;border-radius:6px;text-decoration:none;font-weight:600}
code{background:#f4f4f4;padding:0 .25rem;border-radius:3px}</style></head>
<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

/** The install page: what the app asks for, and the button to Slack's authorize page. */
export function installPage(authorizeUrl: string): string {
  return page(
    'Add Alignment Pulse to Slack',
    `<p>Every week Alignment Pulse asks your product, engineering, design and program leaders a few private questions, and shows where they see things differently.</p>
<p>Slack will ask you to allow it to post messages and send DMs, read channel members and people's names and time zones (to find who to ask), and add the <code>/alignment</code> command. Answers stay private: no score is shown for fewer than three people.</p>
<p><a class="button" href="${escapeHtml(authorizeUrl)}">Add to Slack</a></p>
<p>If your workspace lets only admins add apps, Slack sends your request to them; the app is installed once they approve it.</p>`,
  );
}

/** The end of a successful install: what to do next. */
export function installedPage(where: string | undefined): string {
  return page(
    'Alignment Pulse is installed',
    `<p>Alignment Pulse is now in ${where === undefined ? 'your workspace' : `<strong>${escapeHtml(where)}</strong>`}. Next, in Slack:</p>
<ol><li>Invite it to your leadership channel: <code>/invite @Alignment Pulse</code></li>
<li>Send the first pulse there: <code>/alignment pulse now</code>, or set the schedule with <code>/alignment setup</code></li></ol>
<p>You can close this page.</p>`,
  );
}

/** Why an install did not finish, and how to try again. */
export function installFailedPage(
  reason: 'cancelled' | 'state' | 'refused' | 'unknown',
  installPath: string,
): string {
  const again = `<p><a class="button" href="${escapeHtml(installPath)}">Start again</a></p>`;
  switch (reason) {
    case 'cancelled':
      return page(
        'Nothing was installed',
        `<p>You cancelled on Slack's page, so Alignment Pulse was not added.</p>${again}`,
      );
    case 'state':
      return page(
        'This install link has expired',
        `<p>The link was used already, is more than ten minutes old, or was opened in another browser than the one that started it. Nothing was installed.</p>${again}`,
      );
    case 'refused':
      return page(
        'Slack did not complete the install',
        `<p>Slack would not confirm the install (the code it gave was refused). Nothing was installed.</p>${again}`,
      );
    default:
      return page(
        'The install did not finish',
        `<p>Something went wrong while saving the install. Nothing was installed; please try again in a minute.</p>${again}`,
      );
  }
}
