import { type Html, html } from './html.js';
import type { Links } from './links.js';

/** What every page has around its content. */
export interface PageFrame {
  title: string;
  links: Links;
  /** Breadcrumbs after the archive's home link: `[label, href]`. */
  crumbs?: [string, string][];
  /** The search box's current values, when the viewer can search. */
  search?: { q?: string; room?: string };
}

/** The page up to and including the opening of `<main>`. */
export function pageStart(frame: PageFrame): Html {
  const { links } = frame;
  const crumbs = (frame.crumbs ?? []).map(
    ([label, href]) => html`<span class="sep">/</span><a href="${href}">${label}</a>`,
  );
  const search =
    links.search && frame.search
      ? html`<form class="quick" action="${links.search()}" method="get" role="search">
<input type="search" name="q" value="${frame.search?.q ?? ''}" placeholder="Search the archive" aria-label="Search the archive">${
          frame.search?.room
            ? html`<input type="hidden" name="room" value="${frame.search.room}">`
            : ''
        }</form>`
      : '';
  // The script is only for live tail and search-as-you-type; pages work without it.
  const script = links.search ? html`<script src="${links.asset('app.js')}" defer></script>` : '';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${frame.title}</title>
<link rel="stylesheet" href="${links.asset('style.css')}">
${script}
</head>
<body>
<header class="top">
<nav class="crumbs"><a class="home" href="${links.index()}">archive</a>${crumbs}</nav>
${search}
</header>
<main>
`;
}

/** Closes what `pageStart` opened. */
export function pageEnd(): Html {
  return html`</main>
<footer class="foot">relaykit archive · times are UTC</footer>
</body>
</html>
`;
}

/** A whole page around `content`. */
export function page(frame: PageFrame, content: Html): Html {
  return html`${pageStart(frame)}${content}${pageEnd()}`;
}
