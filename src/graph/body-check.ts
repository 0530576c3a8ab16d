/** A 2xx body either parsed and accepted, or the reason it is not a Graph answer, in plain words. */
export type BodyVerdict = { ok: true; body: unknown } | { ok: false; problem: string };

/** Graph answers `application/json`, usually with parameters (`;odata.metadata=minimal;…;charset=utf-8`). */
const JSON_MEDIA_TYPE = 'application/json';

function mediaType(contentType: string | null): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** The start of a body for a message: one line, short. */
function opening(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 40 ? `${flat.slice(0, 40)}…` : flat;
}

function looksLikeHtml(type: string, text: string): boolean {
  return type.includes('html') || /^\s*</.test(text);
}

/**
 * Judges the body of a successful response. Not every 200 comes from Graph: a proxy, captive portal
 * or gateway can answer with an HTML page, an empty body or a truncated one
 * (graph-facts 1.4), and taking it for an empty last page would make the pull believe a collection
 * is empty. `accept` adds the caller's own check of the parsed JSON (e.g. "is a page").
 */
export function judgeSuccessBody(
  contentType: string | null,
  text: string,
  accept?: (body: unknown) => string | undefined,
): BodyVerdict {
  const type = mediaType(contentType);
  const size = `${Buffer.byteLength(text)} bytes`;
  if (!/\S/.test(text)) return { ok: false, problem: 'an empty body' }; // no copy of a large body
  if (looksLikeHtml(type, text)) {
    return { ok: false, problem: `an HTML page (${type || 'no content type'}, ${size}) starting '${opening(text)}'` };
  }
  if (type !== JSON_MEDIA_TYPE) {
    const what = type ? `a ${type} body` : 'a body without a content type';
    return { ok: false, problem: `${what} (${size}) starting '${opening(text)}'` };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, problem: `JSON cut short or unparseable (${size})` };
  }
  const problem = accept?.(body);
  return problem === undefined ? { ok: true, body } : { ok: false, problem };
}
