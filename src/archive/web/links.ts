/**
 * Where the pages point. The live viewer uses absolute paths under `/logs/`; the static
 * export uses paths relative to each page and `.html` names, so the site works from any
 * directory. `search` and `live` are absent in the export (no server to answer them).
 */
export interface Links {
  index(): string;
  room(server: string, room: string): string;
  day(server: string, room: string, day: string): string;
  file(server: string, room: string, day: string, ext: 'jsonl' | 'log'): string;
  asset(name: string): string;
  search?: () => string;
  live?: (server: string, room: string, day: string, offset: number) => string;
}

const seg = encodeURIComponent;

/** Links of the live viewer (`relaykit archive web`). */
export const serverLinks: Links = {
  index: () => '/',
  room: (s, r) => `/logs/${seg(s)}/${seg(r)}/`,
  day: (s, r, d) => `/logs/${seg(s)}/${seg(r)}/${d}`,
  file: (s, r, d, ext) => `/logs/${seg(s)}/${seg(r)}/${d}.${ext}`,
  asset: (name) => `/assets/${name}`,
  search: () => '/search',
  live: (s, r, d, offset) => `/live/${seg(s)}/${seg(r)}/${d}?offset=${offset}`,
};

/**
 * Links of a static page `depth` directories below the site root (0 for `index.html`, 2 for
 * `<server>/<room>/…`).
 */
export function staticLinks(depth: number): Links {
  const up = '../'.repeat(depth);
  return {
    index: () => `${up}index.html`,
    room: (s, r) => `${up}${seg(s)}/${seg(r)}/index.html`,
    day: (s, r, d) => `${up}${seg(s)}/${seg(r)}/${d}.html`,
    file: (s, r, d, ext) => `${up}${seg(s)}/${seg(r)}/${d}.${ext}`,
    asset: (name) => `${up}assets/${name}`,
  };
}
