/** A string of HTML that is already safe to emit; anything else put into `html` is escaped. */
export class Html {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

// Controls other than tab and newline are not allowed in HTML text (and C1 controls would
// reach a terminal if the page is saved as text): each shows as U+FFFD.
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/**
 * Escapes text for HTML element content and quoted attribute values.
 *
 * @example
 * escapeHtml('<b>"hi"</b>') // '&lt;b&gt;&quot;hi&quot;&lt;/b&gt;'
 */
export function escapeHtml(text: string): string {
  return text.replace(CONTROLS, '\uFFFD').replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

type Part = Html | string | number | boolean | null | undefined | readonly Part[];

function emit(part: Part): string {
  if (part === null || part === undefined || part === false || part === true) return '';
  if (part instanceof Html) return part.value;
  if (Array.isArray(part)) return part.map(emit).join('');
  return escapeHtml(String(part));
}

/**
 * Builds HTML from a template: interpolated strings and numbers are escaped, `Html` values
 * and arrays of them are inserted as they are, `null`/`undefined`/booleans print nothing.
 *
 * @example
 * html`<p class="n">${name}</p>` // name '<script>' → '<p class="n">&lt;script&gt;</p>'
 */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += emit(values[i]!) + strings[i + 1]!;
  return new Html(out);
}

/** Marks a string the caller built from escaped parts as HTML. */
export function raw(value: string): Html {
  return new Html(value);
}
