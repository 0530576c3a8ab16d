/** Markup that is already safe: made only by `html` (or `trusted` for constant text of ours). */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Characters an HTML parser reports as errors wherever they appear (C0 and C1 controls other than
 * tab, line feed, form feed and carriage return; noncharacters; lone surrogates): a name from the
 * tenant may hold them. They become U+FFFD. https://html.spec.whatwg.org/multipage/parsing.html#preprocessing-the-input-stream
 */
const UNSAFE = /[\u0000-\u0008\u000B\u000E-\u001F\u007F-\u009F\uFDD0-\uFDEF\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|[\uD83F\uD87F\uD8BF\uD8FF\uD93F\uD97F\uD9BF\uD9FF\uDA3F\uDA7F\uDABF\uDAFF\uDB3F\uDB7F\uDBBF\uDBFF][\uDFFE\uDFFF]/g;

/** Text (from the tenant or anywhere) made safe for an element's content or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(UNSAFE, '\uFFFD').replace(/[&<>"']/g, (c) => ENTITY[c]!);
}

function piece(value: unknown): string {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(piece).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/**
 * A template tag for markup: every interpolated value is escaped unless it is Html itself (arrays are
 * joined). Nothing from the tenant can become markup, whatever it holds.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += piece(values[i]) + strings[i + 1]!;
  return new Html(out);
}

/** Constant markup of ours (CSS, a prepared SVG path): never pass it text from the tenant. */
export function trusted(markup: string): Html {
  return new Html(markup);
}
