import type { PeerCertificate } from 'node:tls';

/**
 * The names a verified client certificate vouches for: its subject CN and every DNS, email
 * and URI subject alternative name, in that order, without duplicates.
 */
export function certificateNames(cert: PeerCertificate): string[] {
  const names = new Set<string>();
  // A subject with several CNs comes back as an array.
  const cn = cert.subject?.CN as string | string[] | undefined;
  for (const value of Array.isArray(cn) ? cn : cn === undefined ? [] : [cn]) names.add(value);
  for (const entry of splitAltNames(cert.subjectaltname ?? '')) {
    const colon = entry.indexOf(':');
    if (colon === -1) continue;
    const type = entry.slice(0, colon);
    if (type === 'DNS' || type === 'email' || type === 'URI') names.add(entry.slice(colon + 1));
  }
  return [...names];
}

/**
 * Node lists SANs as `DNS:a, DNS:b`, quoting a value (JSON-style) when it holds a comma or
 * a quote, so a plain split on ", " would cut such a name in two.
 */
function splitAltNames(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon === -1) break;
    const type = text.slice(i, colon);
    let value: string;
    let end: number;
    if (text[colon + 1] === '"') {
      end = colon + 2;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      try {
        value = JSON.parse(text.slice(colon + 1, end + 1)) as string;
      } catch {
        value = text.slice(colon + 2, end);
      }
      end += 1;
    } else {
      end = text.indexOf(', ', colon);
      if (end === -1) end = text.length;
      value = text.slice(colon + 1, end);
    }
    out.push(`${type}:${value}`);
    i = end;
    if (text.startsWith(', ', i)) i += 2;
  }
  return out;
}
