import { describe, expect, it } from 'vitest';
import { parseRecord, type ReadRecord } from '../../../../src/archive/record.js';
import { escapeHtml, Html, html } from '../../../../src/archive/web/html.js';
import { renderLine } from '../../../../src/archive/web/line.js';
import { highlight, linkify, nameColour } from '../../../../src/archive/web/text.js';
import { expectInertHtml, XSS_PAYLOADS } from './xss.js';

const record = (over: Partial<ReadRecord>): ReadRecord => ({
  seq: 7,
  ts: '2026-11-26T13:05:09.120Z',
  kind: 'post',
  rawType: 'post',
  from: 'alice',
  text: 'hi',
  v: 1,
  ...over,
});

describe('escapeHtml and html``', () => {
  it('escapes the five HTML specials and replaces control characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
    expect(escapeHtml('a\u0000b\u001bc\u009bd\te\nf')).toBe('a\uFFFDb\uFFFDc\uFFFDd\te\nf');
  });

  it('escapes interpolated strings but keeps Html and arrays of Html', () => {
    const name = '<b>';
    const out = html`<p>${name}${new Html('<i>ok</i>')}${[html`<br>`, '&']}${null}${undefined}${false}${3}</p>`;
    expect(out.value).toBe('<p>&lt;b&gt;<i>ok</i><br>&amp;3</p>');
  });
});

describe('linkify', () => {
  it('links http and https URLs and leaves trailing punctuation and brackets outside', () => {
    expect(linkify('see https://x.org/a.').value).toBe(
      'see <a href="https://x.org/a" rel="nofollow noopener noreferrer ugc">https://x.org/a</a>.',
    );
    expect(linkify('(http://x.org/wiki/Foo_(bar))').value).toContain(
      'href="http://x.org/wiki/Foo_(bar)"',
    );
    expect(linkify('(see http://x.org/a)').value).toMatch(
      /href="http:\/\/x\.org\/a"[^>]*>http:\/\/x\.org\/a<\/a>\)$/,
    );
  });

  it('does not link other schemes and escapes what a URL carries', () => {
    expect(linkify('javascript:alert(1) data:text/html,<b>').value).toBe(
      'javascript:alert(1) data:text/html,&lt;b&gt;',
    );
    const out = linkify('https://x.org/?a=1&b="2"').value;
    expect(out).toContain('href="https://x.org/?a=1&amp;b="');
    expect(out).not.toContain('"2"');
  });
});

describe('highlight', () => {
  it('marks every case-insensitive occurrence and escapes the rest, regex characters literal', () => {
    expect(highlight('Deploy <b> deploy', 'DEPLOY').value).toBe(
      '<mark>Deploy</mark> &lt;b&gt; <mark>deploy</mark>',
    );
    expect(highlight('a.b axb', 'a.b').value).toBe('<mark>a.b</mark> axb');
  });
});

describe('nameColour', () => {
  it('gives a name the same colour every time and spreads names over the palette', () => {
    expect(nameColour('alice')).toBe(nameColour('alice'));
    const colours = new Set(Array.from({ length: 200 }, (_, i) => nameColour(`user${i}`)));
    expect(colours.size).toBe(12);
    for (const c of colours) expect(c).toMatch(/^c(\d|1[01])$/);
  });
});

describe('renderLine', () => {
  it('renders a post with its time as the permalink, the coloured name and linked text', () => {
    const out = renderLine(record({ text: 'docs at https://x.org' }), {
      href: '#L7',
      id: 'L7',
    }).value;
    expect(out).toContain('id="L7"');
    expect(out).toContain('<a class="t" href="#L7">13:05:09</a>');
    expect(out).toContain(`<span class="n ${nameColour('alice')}"><bdi>alice</bdi></span>`);
    expect(out).toContain('<a href="https://x.org" rel="nofollow noopener noreferrer ugc">');
  });

  it('mutes joins, leaves and quits, old and new formats alike', () => {
    const line = (json: object): string =>
      renderLine(parseRecord(JSON.stringify(json))!, { href: '#L1' }).value;
    const base = { v: 1, ts: '2026-11-26T13:05:09.120Z', seq: 1, room: 'ops', from: 'bob' };
    expect(line({ ...base, type: 'join', text: null })).toMatch(
      /class="l ev k-join".*\*\*\* .*bob.* joined/,
    );
    expect(line({ ...base, type: 'leave', text: null })).toMatch(/k-leave.*bob.* left/);
    // v1: the departure repeated the farewell post's text; it is not shown twice.
    expect(line({ ...base, type: 'farewell', text: 'bye' })).toMatch(
      /k-quit.*bob.*<\/span> quit<\/span>/,
    );
    // v2: a departure of its own, without text.
    expect(line({ ...base, v: 2, type: 'quit' })).toMatch(/k-quit.*bob.*<\/span> quit<\/span>/);
    expect(line({ ...base, v: 3, type: 'kick', text: 'spam' })).toMatch(
      /k-other.*bob.* kick: spam/,
    );
  });

  it('keeps every XSS payload inert, as a name and as a text, in posts, events and search hits', () => {
    for (const payload of XSS_PAYLOADS) {
      for (const r of [
        record({ from: payload }),
        record({ text: payload }),
        record({ kind: 'quit', rawType: 'farewell', from: payload, text: payload }),
        record({ kind: 'other', rawType: payload, text: payload }),
      ]) {
        expectInertHtml(renderLine(r, { href: '#L7', id: 'L7' }).value);
        expectInertHtml(
          renderLine(r, { href: '/logs/a/b/2026-11-26#L7', query: payload.slice(1, 5) }).value,
        );
      }
    }
  });
});
