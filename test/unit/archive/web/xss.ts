import { expect } from 'vitest';

/** Names and texts an attacker would try; every one must come out as inert text. */
export const XSS_PAYLOADS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'><svg/onload=alert(1)>",
  'javascript:alert(1)',
  'https://x.example/"onmouseover="alert(1)',
  "https://x.example/'onmouseover='alert(1)",
  'https://x.example/<script>alert(1)</script>',
  '</div></main><iframe src=//evil.example>',
  '<a href="javascript:alert(1)">click</a>',
  '&lt;script&gt; already escaped',
  '\u202egnp.exe',
  'ctl\u0000\u001b[31m\u009b31m',
  '<style>*{display:none}</style>',
  '{{constructor.constructor("alert(1)")()}}',
];

const TAGS = new Set(['div', 'a', 'span', 'bdi', 'mark', 'p', 'h3', 'article']);
const ATTRIBUTES = new Set(['class', 'id', 'href', 'rel', 'download', 'hidden', 'data-src']);

/**
 * Asserts that a rendered fragment holds only the markup the viewer makes: known tags,
 * known attributes with quoted values, hrefs that are fragments, site paths or http(s) URLs.
 */
export function expectInertHtml(fragment: string): void {
  const tag = /<(\/?)([^\s>/]+)([^>]*)>/g;
  for (const m of fragment.matchAll(tag)) {
    expect(TAGS.has(m[2]!.toLowerCase()), `tag <${m[2]}> in ${m[0]}`).toBe(true);
    const attrs = m[3]!.trim();
    const rest = attrs.replace(/([a-z-]+)(="[^"<>]*")?/g, (_all, name: string, value?: string) => {
      expect(ATTRIBUTES.has(name), `attribute ${name} in ${m[0]}`).toBe(true);
      if (name === 'href') expect(value).toMatch(/^="(#|\/|https?:\/\/)/);
      return '';
    });
    expect(rest.trim(), `unexpected attribute text in ${m[0]}`).toBe('');
  }
  // Nothing that looks like a tag survives outside the ones counted above.
  expect(fragment.replace(tag, '')).not.toMatch(/[<>]/);
  expect(fragment).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/);
}
