import { closeSync, openSync, writeSync } from 'node:fs';
import type { Truth } from './tenant/tenant-types.js';

/**
 * Writes JSON.stringify(truth) to a file in chunks: the benchmark tenant's truth holds two lists of
 * over a million links, too much to build as one string comfortably.
 */
export function writeTruthFile(path: string, truth: Truth): void {
  const fd = openSync(path, 'w');
  try {
    let buf = '';
    const put = (s: string): void => {
      buf += s;
      if (buf.length >= 1 << 20) {
        writeSync(fd, buf);
        buf = '';
      }
    };
    put('{');
    (Object.keys(truth) as (keyof Truth)[]).forEach((key, i) => {
      put(`${i > 0 ? ',' : ''}${JSON.stringify(key)}:[`);
      const list: readonly unknown[] = truth[key];
      for (let j = 0; j < list.length; j++) put((j > 0 ? ',' : '') + JSON.stringify(list[j]));
      put(']');
    });
    put('}');
    writeSync(fd, buf);
  } finally {
    closeSync(fd);
  }
}
