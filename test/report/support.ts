import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, type DefaultTreeAdapterMap } from 'parse5';
import { runCliInProcess } from '../support/cli-capture.js';
import { expectGoldenIn } from '../support/golden.js';

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), 'golden');

/** Compares text with a golden file; UPDATE_GOLDEN=1 rewrites the file instead. */
export const expectGolden = (name: string, text: string): void => expectGoldenIn(GOLDEN, name, text);

/**
 * Runs `entra-extract report <args>` in process the way main.ts does once the command is
 * registered: the same exitOverride and the one error handler, so the exit codes are the CLI's.
 */
export async function runReportCli(args: string[], o: { env?: Record<string, string>; cwd?: string } = {}) {
  return runCliInProcess('report', args, o);
}

type Node = DefaultTreeAdapterMap['node'];
export type Element = DefaultTreeAdapterMap['element'];

export interface ParsedPage {
  errors: string[];
  elements: Element[];
  /** All text, in document order. */
  text: string;
}

/** Parses the page as a browser would (parse5, the WHATWG algorithm), collecting every parse error. */
export function parsePage(html: string): ParsedPage {
  const errors: string[] = [];
  const doc = parse(html, { onParseError: (e) => errors.push(`${e.code} at line ${e.startLine}, column ${e.startCol}`) });
  const elements: Element[] = [];
  let text = '';
  const walk = (n: Node) => {
    if ('tagName' in n) elements.push(n);
    if (n.nodeName === '#text') text += (n as DefaultTreeAdapterMap['textNode']).value;
    const children = 'content' in n && n.nodeName === 'template' ? (n as DefaultTreeAdapterMap['template']).content.childNodes : 'childNodes' in n ? n.childNodes : [];
    for (const c of children) walk(c as Node);
  };
  walk(doc as unknown as Node);
  return { errors, elements, text };
}

export const attr = (e: Element, name: string): string | undefined => e.attrs.find((a) => a.name === name)?.value;

/** The text inside an element. */
export function textOf(e: Element): string {
  let out = '';
  const walk = (n: Node) => {
    if (n.nodeName === '#text') out += (n as DefaultTreeAdapterMap['textNode']).value;
    if ('childNodes' in n) for (const c of n.childNodes) walk(c as Node);
  };
  walk(e as Node);
  return out;
}
